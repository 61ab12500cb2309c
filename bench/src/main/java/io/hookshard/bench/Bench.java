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
 * The benchmark: ingest (closed and open loop) beside a no-op Dropwizard baseline, the sink from a pre-filled topic
 * (without and with duplicates), and end-to-end latency at a fixed rate. Flags: {@code --sink-events N},
 * {@code --users N}, {@code --seconds S}, {@code --warmup S}, {@code --connections C}, {@code --rates r1,r2},
 * {@code --e2e-rate R}, {@code --phases ingest,sink,e2e}, {@code --out DIR}, {@code --target-port P} (ingest only, against a running service that trusts
 * HOOKSHARD_WEBHOOK_SECRETS' first secret).
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
        // baseline measured 4,700/s, at 40 s 12,000-15,000/s.
        double warmup = Double.parseDouble(flags.getOrDefault("warmup", "40"));
        int connections = Integer.parseInt(flags.getOrDefault("connections", "64"));
        List<Integer> rates = Arrays.stream(flags.getOrDefault("rates", "1000,5000,10000").split(","))
                .map(Integer::parseInt).toList();
        int e2eRate = Integer.parseInt(flags.getOrDefault("e2e-rate", "5000"));
        List<String> phases = List.of(flags.getOrDefault("phases", "ingest,sink,e2e").split(","));
        Path out = Path.of(flags.getOrDefault("out", "bench-results/" + LocalDateTime.now()
                .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))));
        Report report = new Report();
        report.put("settings", Map.of("sink_events", sinkEvents, "users", users, "seconds", seconds, "warmup",
                warmup, "connections", connections, "rates", rates, "e2e_rate", e2eRate));

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
            LoadGenerator.Result overTime = phases.contains("ingest")
                    ? ingest(stack, report, users, seconds, warmup, connections, rates, out) : null;
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

    private static LoadGenerator.Result ingest(BenchStack stack, Report report, int users, double seconds,
                                               double warmup, int connections, List<Integer> rates, Path out)
            throws Exception {
        var baseline = stack.startBaseline();
        log("baseline: no-op Dropwizard resource, closed loop, %d connections, %.0f s after %.0f s of warm-up",
                connections, seconds, warmup);
        LoadGenerator baselineLoad = new LoadGenerator(baseline.getLocalPort(), BenchStack.SECRET, users);
        baselineLoad.closedLoop("warm-up", "w", connections, 0, warmup);
        LoadGenerator.Result base = baselineLoad.closedLoop("baseline no-op closed-loop c=" + connections, "b",
                connections, 1, seconds);
        report.load(base);
        stack.stop(baseline);
        log("baseline: %,d/s", Math.round(base.okPerSecond()));

        // Ingest alone: no consumers compete for the two cores (the end-to-end phase runs both).
        DropwizardTestSupport<HookshardConfiguration> service = stack.startService(stack.newDeployment(), 0);
        LoadGenerator load = new LoadGenerator(service.getLocalPort(), BenchStack.SECRET, users);
        log("ingest: signature + schema + durable produce, closed loop, %d connections, %.0f s after %.0f s of warm-up",
                connections, seconds, warmup);
        Files.createDirectories(out);
        Profiler profiler = new Profiler(out.resolve("ingest.jfr"));
        load.closedLoop("warm-up", "w" + System.nanoTime(), connections, 0, warmup);
        // Profiled in steady state only: the warm-up's samples are mostly the JIT's.
        profiler.countFromNow();
        LoadGenerator.Result closed = load.closedLoop("ingest closed-loop c=" + connections, "c" + System.nanoTime(),
                connections, 1, seconds);
        report.profile("ingest closed loop (service, broker and load generator share the JVM)", profiler.stop());
        profiler.close();
        report.load(closed);
        log("ingest: %,d/s = %.2f of the baseline", Math.round(closed.okPerSecond()),
                closed.okPerSecond() / base.okPerSecond());
        report.put("ingest_to_baseline_ratio", closed.okPerSecond() / base.okPerSecond());
        report.note(String.format("Ingest reaches %.2f of the no-op Dropwizard baseline measured in the same run"
                + " (target: at least 0.6).", closed.okPerSecond() / base.okPerSecond()));
        LoadGenerator.Result chart = null;
        for (int rate : rates) {
            log("ingest: open loop at %,d/s for %.0f s", rate, seconds);
            LoadGenerator.Result open = load.openLoop("ingest open-loop " + rate + "/s", "o" + rate + System.nanoTime(),
                    connections, rate, 1, seconds);
            report.load(open);
            log("ingest at %,d/s: p99 %.2f ms", rate, Report.ms(open.latency().getValueAtPercentile(99)));
            if (rate == 5000 || chart == null) {
                chart = open;
            }
        }
        stack.stop(service);
        return chart;
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
