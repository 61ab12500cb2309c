package io.hookshard.chaos;

import io.hookshard.embedded.PostgresServer;
import io.hookshard.router.BucketFunction;
import io.hookshard.router.BucketMap;
import io.hookshard.router.ShardRouter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One chaos run, start to verdict: the cluster up, the provider sending and poison records written while faults come
 * every 10-20 s; then the faults healed, every delivery answered, the consumers settled, and the offline check of the
 * client log against the shards and the dead-letter topics.
 */
final class ChaosRun {
    static final String REPORT = "chaos-report.json";
    private static final Logger LOG = LoggerFactory.getLogger(ChaosRun.class);

    private final ChaosSettings settings;
    private final List<String> harnessErrors = Collections.synchronizedList(new ArrayList<>());
    private final List<Poison.Written> poison = Collections.synchronizedList(new ArrayList<>());

    ChaosRun(ChaosSettings settings) {
        this.settings = settings;
    }

    Report run() throws Exception {
        Path out = settings.out();
        Files.createDirectories(out);
        LOG.info("chaos run: {} of load at {}/s and faults, seed {}, service {}, results in {}",
                settings.duration(), settings.rate(), settings.seed(), settings.serviceJar(), out);
        Endpoints endpoints = new Endpoints();
        Report report;
        try (Cluster cluster = new Cluster(out.resolve("data"), out.resolve("logs"), settings.serviceJar(),
                endpoints)) {
            cluster.start();
            Faults faults = new Faults(cluster, settings.seed(), settings.faultGapMin(), settings.faultGapMax(), out);
            boolean drained;
            try (ClientLog log = new ClientLog(out);
                 Provider provider = new Provider(endpoints, log, new Signer(Signer.SECRET), settings.rate())) {
                long start = System.nanoTime();
                long end = start + settings.duration().toNanos();
                provider.start(new Workload(settings.seed(), settings.users()), end);
                faults.start(end);
                Thread poisoner = new Thread(() -> writePoison(cluster, start, end), "poison");
                poisoner.start();
                while (System.nanoTime() - end < 0) {
                    Thread.sleep(Math.min(10_000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
                    LOG.info("progress: {}", provider.stats());
                }
                LOG.info("load and faults over; healing");
                faults.heal();
                restore(cluster);
                poisoner.join();
                drained = provider.awaitDrained(settings.drainTimeout());
                LOG.info("{}: {}", drained ? "every delivery answered" : "NOT every delivery answered",
                        provider.stats());
            }
            try (TopicReader topics = new TopicReader(cluster.bootstrapServers())) {
                Settle.Result settle = new Settle(cluster, topics).await(settings.settleTimeout());
                Verdict verdict = check(cluster, topics);
                report = new Report(settings, faults.counts(), verdict, settle, drained, faults.failures(),
                        List.copyOf(harnessErrors));
            }
        }
        report.write(out.resolve(REPORT));
        LOG.info("{}: {}", report.passed() ? "passed" : "FAILED", report.summaryLine());
        if (report.passed() && !settings.keepData()) {
            delete(out.resolve("data"));
        }
        return report;
    }

    private Verdict check(Cluster cluster, TopicReader topics) throws Exception {
        LOG.info("checking the client log against the shards, the dead-letter topics and the downstream events");
        History history = History.read(settings.out());
        if (history.answerCounts().keySet().stream().anyMatch(answer -> answer.startsWith("4"))) {
            harnessErrors.add("requests refused with a 4xx (see " + ClientLog.REQUESTS + "): "
                    + history.answerCounts());
        }
        ShardRouter router = new ShardRouter(new BucketFunction(BucketFunction.DEFAULT_BUCKETS),
                BucketMap.evenSplit(BucketFunction.DEFAULT_BUCKETS, Cluster.SHARD_IDS));
        Checker checker = new Checker(router, history, poison);
        for (Map.Entry<String, String> shard : cluster.shardUrls().entrySet()) {
            new ShardReader(shard.getKey(), shard.getValue()).readInto(checker);
        }
        topics.deadLetters(Cluster.TOPICS).forEach(checker::deadLetter);
        awaitPublished(cluster, checker);
        checker.downstream(topics.published(Cluster.EVENTS_TOPIC));
        Verdict verdict = checker.verdict();
        LOG.info("downstream: {} record(s) read from {}, of which {} sent again (skipped by id)",
                checker.downstreamRead().records(), Cluster.EVENTS_TOPIC, checker.downstreamRead().copies());
        return verdict;
    }

    /**
     * Waits for every shard's relay to publish its outbox (the webhooks are all stored by now, so nothing new is
     * written); a shard still holding unpublished rows after a minute is a finding.
     */
    private static void awaitPublished(Cluster cluster, Checker checker) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        for (Map.Entry<String, String> shard : cluster.shardUrls().entrySet()) {
            ShardReader reader = new ShardReader(shard.getKey(), shard.getValue());
            long unpublished;
            while ((unpublished = reader.unpublished()) > 0 && System.nanoTime() - deadline < 0) {
                Thread.sleep(500);
            }
            if (unpublished > 0) {
                checker.unpublished(shard.getKey(), unpublished);
            }
        }
    }

    /** Writes the poison records spread over the run, none while the broker is down by a fault. */
    private void writePoison(Cluster cluster, long start, long end) {
        List<Poison.Recipe> recipes = Poison.recipes(settings.seed(), Instant.now());
        try (var log = Files.newBufferedWriter(settings.out().resolve("poison.tsv"))) {
            log.write("label\ttopic\tpartition\toffset\texpected_reason\tvalue_digest\n");
            for (int i = 0; i < recipes.size(); i++) {
                long due = start + (end - start) * (i + 1) / (recipes.size() + 1);
                long wait = (due - System.nanoTime()) / 1_000_000;
                if (wait > 0) {
                    Thread.sleep(wait);
                }
                Poison.Recipe recipe = recipes.get(i);
                Poison.Written written = cluster.whileBrokerUp(() -> Poison.write(cluster.bootstrapServers(), recipe));
                poison.add(written);
                log.write(String.join("\t", written.label(), written.topic(), Integer.toString(written.partition()),
                        Long.toString(written.offset()), written.expectedReason(), written.valueDigest()) + "\n");
                log.flush();
                LOG.info("poison record {} written to {}-{}@{}", written.label(), written.topic(),
                        written.partition(), written.offset());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            harnessErrors.add("interrupted while writing poison records");
        } catch (Exception e) {
            LOG.error("could not write the poison records", e);
            harnessErrors.add("could not write the poison records: " + e);
        }
    }

    /** Whatever a failed recovery left down comes back; the extra instance goes. */
    private void restore(Cluster cluster) throws Exception {
        for (int i = 0; i < Cluster.SHARD_IDS.size(); i++) {
            PostgresServer shard = cluster.shard(i);
            shard.resume();
            if (!shard.isRunning()) {
                harnessErrors.add(shard.name() + " was still down after the faults");
                shard.start();
            }
        }
        if (!cluster.brokerRunning()) {
            harnessErrors.add("the broker was still down after the faults");
            cluster.crashBroker();
        }
        for (int i = 0; i < Cluster.BASE_INSTANCES; i++) {
            if (!cluster.instance(i).isRunning()) {
                harnessErrors.add(cluster.instance(i).name() + " was still down after the faults");
                cluster.startInstance(i);
            }
        }
        if (cluster.instance(Cluster.BASE_INSTANCES).isRunning()) {
            cluster.stopInstance(Cluster.BASE_INSTANCES);
        }
    }

    private static void delete(Path directory) {
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("could not delete {}: {}", directory, e.toString());
        }
    }
}
