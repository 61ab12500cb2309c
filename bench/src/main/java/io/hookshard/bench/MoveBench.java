package io.hookshard.bench;

import io.dropwizard.testing.DropwizardTestSupport;
import io.hookshard.HookshardConfiguration;
import io.hookshard.config.TopicsFactory;
import io.hookshard.core.Envelope;
import io.hookshard.core.EventType;
import io.hookshard.core.PayloadSchemas;
import io.hookshard.db.ShardDatabases;
import io.hookshard.kafka.TopicInitializer;
import io.hookshard.move.BucketMover;
import io.hookshard.router.BucketFunction;
import io.hookshard.routing.Catalog;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jdbi.v3.core.Jdbi;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/**
 * How long a bucket move takes and how long the events of the moving buckets wait, on this machine. Three shards
 * (fsync on, as the benchmark runs them); shard-a is filled with {@code --events} order events (1,000,000), every one
 * of a user in buckets 0-255, through the consumers as webhooks arrive; then, under an open-loop load of
 * {@code --rate} signed webhooks per second (1,000) over all buckets, buckets 0-255 (half of shard-a's) move to the
 * empty shard-c with the same mover the task and the CLI run. It prints the move's steps and duration, its frozen
 * time, and the delay (stored_at - received_at) of every event received from the move's start to a few seconds after
 * it, for the moving buckets and for the others. Nothing is asserted but the counts:
 * {@code java -cp bench/target/hookshard-bench.jar io.hookshard.bench.MoveBench [--events N] [--rate R]}.
 */
public final class MoveBench {
    private static final BucketFunction BUCKETS = new BucketFunction(BucketFunction.DEFAULT_BUCKETS);
    private static final int USERS = 100_000;
    private static final int MOVING = 256;

    private MoveBench() {
    }

    public static void main(String[] args) throws Exception {
        long events = 1_000_000;
        int rate = 1_000;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--events" -> events = Long.parseLong(args[i + 1]);
                case "--rate" -> rate = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("flags: --events N, --rate R; not " + args[i]);
            }
        }
        Bench.log("machine: %d cores, JVM %s; load average %s", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.version"), Files.readString(java.nio.file.Path.of("/proc/loadavg"))
                        .strip());
        try (BenchStack stack = new BenchStack(Files.createTempDirectory("hookshard-move-bench-"), 3)) {
            run(stack, events, rate);
        }
        System.exit(0);
    }

    private static void run(BenchStack stack, long events, int rate) throws Exception {
        BenchStack.Deployment deployment = stack.newDeployment();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
            TopicsFactory topics = new TopicsFactory();
            topics.setOrders(deployment.ordersTopic());
            topics.setDisputes(deployment.disputesTopic());
            topics.setPartitions(6);
            new TopicInitializer(admin, topics).ensureTopics();
        }
        long started = System.nanoTime();
        prefill(stack.bootstrapServers(), deployment.ordersTopic(), events);
        DropwizardTestSupport<HookshardConfiguration> service = stack.startService(deployment, 3,
                "bench-move-config.yml");
        awaitConsumed(stack, deployment);
        String shardA = deployment.shardUrls().get(0);
        long stored = count(shardA, "SELECT count(*) FROM order_events WHERE bucket < " + MOVING);
        if (stored != events) {
            throw new IllegalStateException(stored + " events stored in buckets 0-255, " + events + " produced");
        }
        Bench.log("shard-a holds %,d order events in buckets 0-255 (%.0f s to produce and consume them); rows: %s",
                stored, (System.nanoTime() - started) / 1e9, rows(shardA));

        LoadGenerator generator = new LoadGenerator(service.getLocalPort(), BenchStack.SECRET, USERS);
        AtomicBoolean loading = new AtomicBoolean(true);
        AtomicLong accepted = new AtomicLong();
        int perSecond = rate;
        Thread load = new Thread(() -> {
            try {
                while (loading.get()) {
                    LoadGenerator.Result chunk = generator.openLoop("move load", "m" + System.nanoTime(), 32,
                            perSecond, 0, 5);
                    accepted.addAndGet(chunk.ok());
                    if (chunk.errors() > 0) {
                        Bench.log("load: %,d request(s) failed", chunk.errors());
                    }
                }
            } catch (Exception e) {
                Bench.log("load failed: %s", e);
            }
        }, "move-load");
        Bench.log("load: %,d signed webhooks per second over %,d users in every bucket; the move starts in 20 s",
                rate, USERS);
        load.start();
        Thread.sleep(20_000);

        Map<String, Jdbi> jdbis = new LinkedHashMap<>();
        List<String> ids = List.of("shard-a", "shard-b", "shard-c");
        for (int i = 0; i < ids.size(); i++) {
            jdbis.put(ids.get(i), Jdbi.create(deployment.shardUrls().get(i), "postgres", ""));
        }
        BucketMover mover = new BucketMover(new ShardDatabases(jdbis), new Catalog(jdbis.get("shard-a"), "shard-a"),
                service.getConfiguration().getShards().getMapRefreshInterval().toJavaDuration());
        Instant moveStart = Instant.now();
        long moveNanos = System.nanoTime();
        List<BucketMover.Result> results = mover.move(IntStream.range(0, MOVING).boxed().toList(), "shard-c",
                line -> Bench.log("move: %s", line));
        Duration took = Duration.ofNanos(System.nanoTime() - moveNanos);
        Instant moveEnd = Instant.now();
        Thread.sleep(15_000);
        loading.set(false);
        load.join();
        awaitConsumed(stack, deployment);
        stack.stop(service);

        long total = 0;
        for (String url : deployment.shardUrls()) {
            total += count(url, "SELECT count(*) FROM order_events");
        }
        long movedEvents = count(deployment.shardUrls().get(2), "SELECT count(*) FROM order_events");
        if (total - count(shardA, "SELECT count(*) FROM order_events WHERE bucket < " + MOVING) != events
                + accepted.get()) {
            throw new IllegalStateException("stored " + total + " events outside shard-a's moved rows; expected "
                    + (events + accepted.get()));
        }
        long longestFreeze = results.stream().mapToLong(result -> result.frozenFor().toMillis()).max().orElse(0);
        long rowsCopied = results.stream().mapToLong(BucketMover.Result::rowsCopied).sum();
        Bench.log("move of buckets 0-255 from shard-a to shard-c: %.1f s in all, in %d step(s); longest freeze %d ms"
                        + " (each: %s); %,d rows copied; shard-c holds %,d order events (the %,d stored before and"
                        + " those of the load)", took.toMillis() / 1000.0, results.size(), longestFreeze,
                results.stream().map(result -> result.frozenFor().toMillis() + " ms").toList(), rowsCopied,
                movedEvents, events);
        delays(deployment.shardUrls(), moveStart, moveEnd.plusSeconds(5));
    }

    /** stored_at - received_at of every event received from the move's start to a few seconds after its end. */
    private static void delays(List<String> shardUrls, Instant from, Instant to) throws Exception {
        Histogram moving = new Histogram(3_600_000_000_000L, 3);
        Histogram others = new Histogram(3_600_000_000_000L, 3);
        for (int shard = 0; shard < shardUrls.size(); shard++) {
            // Each event once: the moved buckets' rows count on shard-c, not as the copies shard-a keeps until cleanup.
            String only = shard == 0 ? " AND bucket >= " + MOVING : "";
            try (Connection connection = DriverManager.getConnection(shardUrls.get(shard), "postgres", "");
                 Statement statement = connection.createStatement();
                 ResultSet rs = statement.executeQuery("SELECT bucket, (extract(epoch FROM stored_at - received_at)"
                         + " * 1000000000)::bigint FROM order_events WHERE received_at BETWEEN '" + from + "' AND '"
                         + to + "'" + only)) {
                while (rs.next()) {
                    (rs.getInt(1) < MOVING ? moving : others).recordValue(Math.max(0, rs.getLong(2)));
                }
            }
        }
        Bench.log("delay received -> stored of events received during the move (and 5 s after):");
        Bench.log("  moving buckets 0-255: %,d events, p50 %.0f ms, p99 %.0f ms, max %.0f ms", moving.getTotalCount(),
                Report.ms(moving.getValueAtPercentile(50)), Report.ms(moving.getValueAtPercentile(99)),
                Report.ms(moving.getMaxValue()));
        Bench.log("  other buckets:        %,d events, p50 %.0f ms, p99 %.0f ms, max %.0f ms", others.getTotalCount(),
                Report.ms(others.getValueAtPercentile(50)), Report.ms(others.getValueAtPercentile(99)),
                Report.ms(others.getMaxValue()));
    }

    /** Order events of users in buckets 0-255, one order each, produced as ingest would have. */
    private static void prefill(String bootstrap, String topic, long events) throws Exception {
        List<String> users = new ArrayList<>();
        for (int i = 0; i < USERS; i++) {
            if (BUCKETS.bucketOf("user-" + i) < MOVING) {
                users.add("user-" + i);
            }
        }
        long started = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = SinkRun.prefillProducer(bootstrap)) {
            String receivedAt = Instant.now().toString();
            String schema = new PayloadSchemas().version(EventType.ORDER_PAYMENT);
            for (long i = 0; i < events; i++) {
                String user = users.get((int) (i % users.size()));
                String value = "{\"event_id\":\"" + Envelope.eventIdOf(EventType.ORDER_PAYMENT, "evt-prefill-" + i)
                        + "\",\"key\":\"" + user + "\",\"type\":\"payment.order\",\"received_at\":\"" + receivedAt
                        + "\",\"schema\":\"" + schema + "\",\"payload\":" + SignedRequests.body("prefill", i, user)
                        + "}";
                producer.send(new ProducerRecord<>(topic, user.getBytes(StandardCharsets.UTF_8),
                        value.getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
        }
        Bench.log("produced %,d order events of %,d users in buckets 0-255 in %.0f s", events, users.size(),
                (System.nanoTime() - started) / 1e9);
    }

    private static String rows(String url) throws Exception {
        List<String> counts = new ArrayList<>();
        for (String table : List.of("inbox", "order_events", "orders", "order_directory")) {
            counts.add(table + " " + String.format("%,d", count(url, "SELECT count(*) FROM " + table
                    + " WHERE bucket < " + MOVING)));
        }
        return String.join(", ", counts);
    }

    private static void awaitConsumed(BenchStack stack, BenchStack.Deployment deployment) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
            long last = System.nanoTime();
            while (SinkRun.lag(admin, "hookshard-" + deployment.namespace(), deployment.ordersTopic()) > 0) {
                if (System.nanoTime() - last > 15_000_000_000L) {
                    last = System.nanoTime();
                    Bench.log("consuming: %,d record(s) to go", SinkRun.lag(admin, "hookshard-"
                            + deployment.namespace(), deployment.ordersTopic()));
                }
                Thread.sleep(250);
            }
        }
    }

    private static long count(String url, String sql) throws Exception {
        return SinkRun.count(url, sql);
    }
}
