package io.hookshard.bench;

import io.dropwizard.testing.DropwizardTestSupport;
import io.hookshard.HookshardConfiguration;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The benchmark: ingest (closed and open loop) beside a no-op Dropwizard server and a bare HTTP->Kafka stand-in, each
 * a process of its own (see {@link IngestComparison}), the sink from a pre-filled topic (without and with
 * duplicates), and end-to-end latency at a fixed rate. Flags: {@code --sink-events N}, {@code --users N},
 * {@code --seconds S} and {@code --warmup S} (end to end), {@code --ingest-seconds S}, {@code --ingest-warmup S},
 * {@code --connections C}, {@code --rates r1,r2}, {@code --repetitions N},
 * {@code --jfr true|false}, {@code --e2e-rate R}, {@code --phases ingest,sink,e2e}, {@code --out DIR},
 * {@code --target-port P} (ingest only, against a running service that trusts HOOKSHARD_WEBHOOK_SECRETS' first
 * secret).
 */
public final class Bench {
    private Bench() {
    }

    static void log(String format, Object... args) {
        System.out.printf("[bench %s] %s%n", LocalDateTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")),
                String.format(format, args));
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> flags = flags(args);
        long sinkEvents = Long.parseLong(flags.getOrDefault("sink-events", "1000000"));
        int users = Integer.parseInt(flags.getOrDefault("users", "100000"));
        double seconds = Double.parseDouble(flags.getOrDefault("seconds", "20"));
        // Two cores compile the service, broker and client code for well over 10 s: at 10 s of warm-up the no-op
        // baseline measured 4,700/s, at 40 s 12,000-15,000/s (all in one JVM then).
        double warmup = Double.parseDouble(flags.getOrDefault("warmup", "40"));
        // In the ingest phases each target compiles only its own code in its own JVM (wrk is C, the broker stays up).
        double ingestSeconds = Double.parseDouble(flags.getOrDefault("ingest-seconds", "15"));
        double ingestWarmup = Double.parseDouble(flags.getOrDefault("ingest-warmup", "15"));
        int connections = Integer.parseInt(flags.getOrDefault("connections", "64"));
        int repetitions = Integer.parseInt(flags.getOrDefault("repetitions", "3"));
        boolean jfr = Boolean.parseBoolean(flags.getOrDefault("jfr", "true"));
        List<Integer> rates = Arrays.stream(flags.getOrDefault("rates", "5000").split(","))
                .map(Integer::parseInt).toList();
        int e2eRate = Integer.parseInt(flags.getOrDefault("e2e-rate", "5000"));
        List<String> phases = List.of(flags.getOrDefault("phases", "ingest,sink,e2e").split(","));
        Path out = Path.of(flags.getOrDefault("out", "bench-results/" + LocalDateTime.now()
                .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))));
        Report report = new Report();
        report.put("settings", Map.ofEntries(Map.entry("sink_events", sinkEvents), Map.entry("users", users),
                Map.entry("seconds", seconds), Map.entry("warmup", warmup), Map.entry("ingest_seconds", ingestSeconds),
                Map.entry("ingest_warmup", ingestWarmup), Map.entry("connections", connections),
                Map.entry("rates", rates), Map.entry("e2e_rate", e2eRate), Map.entry("repetitions", repetitions),
                Map.entry("jfr", jfr)));

        if (flags.containsKey("target-port")) {
            int port = Integer.parseInt(flags.get("target-port"));
            String secret = System.getenv("HOOKSHARD_WEBHOOK_SECRETS").split(",")[0].trim();
            LoadGenerator target = new LoadGenerator(port, secret, users);
            report.load(target.closedLoop("ingest closed-loop c=" + connections, "t" + System.nanoTime(),
                    connections, warmup, seconds));
            for (int rate : rates) {
                report.load(target.openLoop("ingest open-loop " + rate + "/s", "t" + System.nanoTime(), connections,
                        rate, 1, seconds));
            }
            report.write(out, null);
            log("done: %s", out.toAbsolutePath());
            return;
        }

        long started = System.nanoTime();
        try (BenchStack stack = new BenchStack(Files.createTempDirectory("hookshard-bench-"))) {
            LoadGenerator.Result overTime = null;
            if (phases.contains("ingest")) {
                Files.createDirectories(out);
                Load load = new Load(Wrk.onPath(out.resolve("logs")), out.resolve("logs"), users, connections);
                overTime = new IngestComparison(stack, load, out, repetitions, ingestWarmup, ingestSeconds, rates,
                        jfr).run(report);
            }
            if (phases.contains("sink")) {
                sink(stack, report, sinkEvents, users, out);
            }
            if (phases.contains("e2e")) {
                endToEnd(stack, report, users, seconds, warmup, connections, e2eRate);
            }
            report.put("total_seconds", (System.nanoTime() - started) / 1e9);
            report.write(out, overTime);
        }
        log("done in %.0f s: %s (result.json, result.md, latency-over-time.png, latency-histogram.png)",
                (System.nanoTime() - started) / 1e9, out.toAbsolutePath());
        System.exit(0);
    }

    private static void sink(BenchStack stack, Report report, long events, int users, Path out) throws Exception {
        long[] lastLog = {System.nanoTime()};
        Runnable progress = () -> {
            if (System.nanoTime() - lastLog[0] > 5_000_000_000L) {
                lastLog[0] = System.nanoTime();
                log("sink: consuming...");
            }
        };
        Files.createDirectories(out);
        Profiler profiler = new Profiler(out.resolve("sink.jfr"));
        SinkRun.Result unique = SinkRun.run(stack, "sink " + events + " events", events, users, 0, progress);
        report.profile("sink", profiler.stop());
        profiler.close();
        report.sink(unique);
        log("sink: %,d events/s", Math.round(unique.eventsPerSecond()));
        SinkRun.Result duplicates = SinkRun.run(stack, "sink " + events + " events, 10% duplicates", events, users,
                0.10, progress);
        report.sink(duplicates);
        log("sink with duplicates: %,d records/s", Math.round(duplicates.eventsPerSecond()));
    }

    private static void endToEnd(BenchStack stack, Report report, int users, double seconds, double warmup,
                                 int connections, int rate) throws Exception {
        BenchStack.Deployment deployment = stack.newDeployment();
        DropwizardTestSupport<HookshardConfiguration> service = stack.startService(deployment, 3);
        LoadGenerator generator = new LoadGenerator(service.getLocalPort(), BenchStack.SECRET, users);
        log("end-to-end: %.0f s of warm-up, then %,d/s for %.0f s through ingest and consumers", warmup, rate,
                seconds);
        // Warmed at half the rate: the same code gets compiled without a backlog to drain first.
        generator.openLoop("warm-up", "w" + System.nanoTime(), connections, Math.max(1, rate / 2), 0, warmup);
        awaitConsumed(stack, deployment);
        String run = "e" + System.nanoTime();
        LoadGenerator.Result load = generator.openLoop("end-to-end ingest at " + rate + "/s", run, connections, rate,
                1, seconds);
        report.load(load);
        awaitConsumed(stack, deployment);
        stack.stop(service);
        // Every stored event carries when ingest received it and when its shard transaction wrote it.
        Histogram histogram = new Histogram(600_000_000_000L, 3);
        long events = 0;
        for (String url : deployment.shardUrls()) {
            try (Connection connection = DriverManager.getConnection(url, "postgres", "");
                 Statement statement = connection.createStatement();
                 ResultSet rs = statement.executeQuery(
                         "SELECT (extract(epoch FROM stored_at - received_at) * 1000000000)::bigint FROM order_events"
                                 + " WHERE provider_event_id LIKE 'evt-" + run + "-%'")) {
                while (rs.next()) {
                    histogram.recordValue(Math.max(0, rs.getLong(1)));
                    events++;
                }
            }
        }
        report.endToEnd("end-to-end received -> written at " + rate + "/s", histogram, events);
        log("end-to-end at %,d/s: p50 %.1f ms, p99 %.1f ms over %,d events", rate,
                Report.ms(histogram.getValueAtPercentile(50)), Report.ms(histogram.getValueAtPercentile(99)), events);
    }

    private static void awaitConsumed(BenchStack stack, BenchStack.Deployment deployment) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (SinkRun.lag(admin, "hookshard-" + deployment.namespace(), deployment.ordersTopic()) > 0
                    && System.nanoTime() < deadline) {
                Thread.sleep(250);
            }
        }
    }

    private static Map<String, String> flags(String[] args) {
        Map<String, String> flags = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("flags look like --name value, got " + args[i]);
            }
            flags.put(args[i].substring(2), args[i + 1]);
        }
        return flags;
    }
}
