package io.hookshard.bench;

import io.hookshard.db.PartitionManager;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The benchmark: ingest (closed and open loop) beside a no-op Dropwizard server and a bare HTTP->Kafka stand-in, each
 * a process of its own (see {@link IngestComparison}), the sink from a pre-filled topic (without and with
 * duplicates, and into shards already holding events), and end-to-end latency at fixed rates; the service, the
 * broker and the load generator each a process of their own. Flags: {@code --sink-events N}, {@code --users N},
 * {@code --seconds S} and {@code --warmup S} (end to end), {@code --ingest-seconds S}, {@code --ingest-warmup S},
 * {@code --connections C}, {@code --rates r1,r2}, {@code --repetitions N},
 * {@code --jfr true|false}, {@code --e2e-rates r1,r2}, {@code --e2e-workers N}, {@code --growth n1,n2|none},
 * {@code --duplicates true|false}, {@code --phases ingest,sink,e2e}, {@code --out DIR},
 * {@code --target-port P} (ingest only, against a running service that trusts HOOKSHARD_WEBHOOK_SECRETS' first
 * secret).
 */
public final class Bench {
    /** Every flag the benchmark reads (README, "Performance"). */
    static final List<String> FLAGS = List.of("phases", "repetitions", "rates", "seconds", "warmup", "jfr", "out",
            "ingest-seconds", "ingest-warmup", "connections", "sink-events", "users", "growth", "growth-repetitions",
            "duplicates", "e2e-rates", "e2e-rate", "e2e-workers", "target-port");

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
        double seconds = Double.parseDouble(flags.getOrDefault("seconds", "15"));
        // End to end: one service process for every repetition, warmed until its JIT compiler is done, at most this
        // long (see EndToEnd); the generator's own first 5 s of each rate are not counted either.
        double warmup = Double.parseDouble(flags.getOrDefault("warmup", "180"));
        // In the ingest phases each target compiles only its own code in its own JVM (wrk is C, the broker stays up).
        double ingestSeconds = Double.parseDouble(flags.getOrDefault("ingest-seconds", "10"));
        // The longest warm-up of an ingest target; each is warmed until its throughput is steady (IngestComparison).
        double ingestWarmup = Double.parseDouble(flags.getOrDefault("ingest-warmup", "120"));
        int connections = Integer.parseInt(flags.getOrDefault("connections", "64"));
        int repetitions = Integer.parseInt(flags.getOrDefault("repetitions", "3"));
        boolean jfr = Boolean.parseBoolean(flags.getOrDefault("jfr", "true"));
        List<Integer> rates = Arrays.stream(flags.getOrDefault("rates", "5000").split(","))
                .map(Integer::parseInt).toList();
        List<Integer> e2eRates = Arrays.stream(flags.getOrDefault("e2e-rates", flags.getOrDefault("e2e-rate",
                "2000,5000")).split(",")).map(Integer::parseInt).toList();
        // Consumer workers per topic of the end-to-end service (see EndToEnd); the sink's service runs three.
        int e2eWorkers = Integer.parseInt(flags.getOrDefault("e2e-workers", "1"));
        // The events the shards already hold when the sink's growth runs start (filled in SQL); "none" for none.
        String growthFlag = flags.getOrDefault("growth", "1000000");
        List<Long> growth = growthFlag.equals("none") ? List.of()
                : Arrays.stream(growthFlag.split(",")).map(Long::parseLong).toList();
        List<String> phases = List.of(flags.getOrDefault("phases", "ingest,sink,e2e").split(","));
        Path out = Path.of(flags.getOrDefault("out", "bench-results/" + LocalDateTime.now()
                .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))));
        Report report = new Report();
        report.put("settings", Map.ofEntries(Map.entry("sink_events", sinkEvents), Map.entry("users", users),
                Map.entry("seconds", seconds), Map.entry("warmup", warmup), Map.entry("ingest_seconds", ingestSeconds),
                Map.entry("ingest_warmup", ingestWarmup), Map.entry("connections", connections),
                Map.entry("rates", rates), Map.entry("e2e_rates", e2eRates),
                Map.entry("e2e_workers", e2eWorkers), Map.entry("growth", growth),
                Map.entry("repetitions", repetitions),
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
        Files.createDirectories(out.resolve("logs"));
        try (BenchStack stack = new BenchStack(Files.createTempDirectory("hookshard-bench-"));
             Load load = new Load(Wrk.onPath(out.resolve("logs")), out.resolve("logs"), users, connections)) {
            LoadGenerator.Result overTime = null;
            if (phases.contains("ingest")) {
                overTime = new IngestComparison(stack, load, out, repetitions, ingestWarmup, ingestSeconds, rates,
                        jfr).run(report);
            }
            if (phases.contains("sink")) {
                sink(stack, report, sinkEvents, users, repetitions, growth,
                        Integer.parseInt(flags.getOrDefault("growth-repetitions", "1")),
                        Boolean.parseBoolean(flags.getOrDefault("duplicates", "false")), jfr, out);
            }
            if (phases.contains("e2e")) {
                new EndToEnd(stack, load, out, repetitions, seconds, warmup, e2eRates, e2eWorkers, jfr)
                        .run(report);
            }
            report.put("total_seconds", (System.nanoTime() - started) / 1e9);
            report.write(out, overTime);
        }
        log("done in %.0f s: %s (result.json, result.md, latency-over-time.png, latency-histogram.png)",
                (System.nanoTime() - started) / 1e9, out.toAbsolutePath());
        System.exit(0);
    }

    /**
     * The sink: one pre-filled topic consumed {@code repetitions} times, each time by a fresh service process into
     * fresh databases; then (with {@code --duplicates true}) once with 10% duplicates; then once into shards already
     * holding each of {@code growth}'s numbers of events (filled in SQL, see {@link ShardPrefill}), {@code
     * growthRepetitions} times in a row.
     */
    private static void sink(BenchStack stack, Report report, long events, int users, int repetitions,
                             List<Long> growth, int growthRepetitions, boolean duplicates, boolean jfr, Path out)
            throws Exception {
        Path logs = out.resolve("logs");
        Files.createDirectories(logs);
        SinkRun.Topic unique = SinkRun.prefill(stack, events, users, 0);
        List<SinkRun.Result> runs = new ArrayList<>();
        for (int r = 1; r <= repetitions; r++) {
            BenchStack.Deployment deployment = stack.newDeployment();
            SinkRun.Result result = SinkRun.consume(stack, "sink " + events + " events, run " + r, unique,
                    deployment, 0, logs, jfr ? out.resolve("sink-" + r + ".jfr") : null, report);
            stack.drop(deployment);
            report.sink(result);
            runs.add(result);
            Bench.log("sink run %d: %,d events/s (%.1f s from launch, %.1f s of it starting; CPU per event: %s;"
                            + " load before %s)", r, Math.round(result.eventsPerSecond()), result.seconds(),
                    result.startSeconds(), result.cpuSummary(), result.loadBefore());
        }
        double empty = median(runs.stream().mapToDouble(SinkRun.Result::eventsPerSecond).toArray());
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("events_per_second", empty);
        summary.put("events_per_second_runs", runs.stream().map(SinkRun.Result::eventsPerSecond).toList());
        summary.put("seconds_runs", runs.stream().map(SinkRun.Result::seconds).toList());
        summary.put("start_seconds_runs", runs.stream().map(SinkRun.Result::startSeconds).toList());
        summary.put("service_cpu_us_per_event_runs", runs.stream().map(SinkRun.Result::cpuMicrosPerRecord).toList());
        summary.put("cpu_us_per_event_runs", runs.stream().map(SinkRun.Result::cpuPerRecord).toList());
        summary.put("busy_cores_runs", runs.stream().map(SinkRun.Result::busyCores).toList());
        summary.put("load_average_before", runs.stream().map(SinkRun.Result::loadBefore).toList());
        summary.put("topic_prefill_seconds", unique.seconds());
        report.note(String.format("Sink, %,d events into two empty shards: median %,.0f events/s over %d runs %s"
                        + " (target at least 35,000), timed from the service's launch until its group's lag was 0.",
                events, empty, runs.size(), summary.get("events_per_second_runs")));
        log("sink: median %,.0f events/s", empty);

        if (duplicates) {
            SinkRun.Topic withCopies = SinkRun.prefill(stack, events, users, 0.10);
            BenchStack.Deployment deployment = stack.newDeployment();
            SinkRun.Result withDuplicates = SinkRun.consume(stack, "sink " + events + " events, 10% duplicates",
                    withCopies, deployment, 0, logs, null, report);
            stack.drop(deployment);
            report.sink(withDuplicates);
            summary.put("with_duplicates_records_per_second", withDuplicates.eventsPerSecond());
            log("sink with duplicates: %,d records/s", Math.round(withDuplicates.eventsPerSecond()));
        }

        List<Map<String, Object>> ladder = new ArrayList<>();
        for (long held : growth) {
            BenchStack.Deployment deployment = stack.newDeployment();
            // The schema, bucket map and ownership as the service sets them up on its first start.
            try (Target ignored = stack.startServiceProcess(deployment, unique.name(), 0, false,
                    logs.resolve("sink-schema-" + deployment.namespace() + ".log"), null)) {
                awaitSchema(deployment);
                log("sink growth: schema ready on %s", deployment.namespace());
            }
            long started = System.nanoTime();
            ShardPrefill.fill(deployment, held, users);
            double fillSeconds = (System.nanoTime() - started) / 1e9;
            log("sink growth: %,d events stored on the shards in SQL in %.1f s", held, fillSeconds);
            // Filled once, consumed into growthRepetitions times: each run a topic of new events, a service, a
            // consumer group and an events topic of its own, into shards holding what the runs before it left too.
            List<SinkRun.Result> results = new ArrayList<>();
            long holding = held;
            for (int r = 1; r <= growthRepetitions; r++) {
                SinkRun.Topic topic = r == 1 ? unique : SinkRun.prefill(stack, events, users, 0);
                BenchStack.Deployment run = r == 1 ? deployment : deployment.rerun();
                SinkRun.Result result = SinkRun.consume(stack, "sink " + events + " events into shards holding "
                        + holding, topic, run, holding, logs, null, report);
                report.sink(result);
                results.add(result);
                log("sink into shards holding %,d: %,d events/s (%.2f of empty)", holding,
                        Math.round(result.eventsPerSecond()), result.eventsPerSecond() / empty);
                holding += topic.distinctEvents();
            }
            stack.drop(deployment);
            double median = median(results.stream().mapToDouble(SinkRun.Result::eventsPerSecond).toArray());
            Map<String, Object> step = new LinkedHashMap<>();
            step.put("held_before", held);
            step.put("shard_prefill_seconds", fillSeconds);
            step.put("events_per_second", median);
            step.put("events_per_second_runs", results.stream().map(SinkRun.Result::eventsPerSecond).toList());
            step.put("held_before_runs", results.stream().map(SinkRun.Result::preStored).toList());
            step.put("to_empty", median / empty);
            step.put("load_average_before", results.stream().map(SinkRun.Result::loadBefore).toList());
            ladder.add(step);
            report.note(String.format("Sink into shards already holding %,d events (filled in SQL in %.0f s): %,.0f"
                            + " events/s, %.2f of the empty shards' median (%s).", held, fillSeconds, median,
                    median / empty, results.size() == 1 ? "one run" : "median of " + results.size() + " runs: "
                            + results.stream().map(result -> String.format("%,.0f", result.eventsPerSecond()))
                            .collect(java.util.stream.Collectors.joining(" / "))
                            + ", each into what the runs before it left"));
            log("sink into shards holding %,d: median %,d events/s (%.2f of empty)", held, Math.round(median),
                    median / empty);
        }
        summary.put("growth", ladder);
        report.put("sink_summary", summary);
    }

    /**
     * Waits for what the service sets up on its first start: bucket ownership, and this month's event partitions.
     * Filled before the partitions existed, the events would sit in the DEFAULT partitions, and the measured
     * service's start would move them all into this month's partition (10M events: over 30 s, with nothing consumed
     * meanwhile), which a shard running for a while, its partitions made months ahead, never does.
     */
    private static void awaitSchema(BenchStack.Deployment deployment) throws Exception {
        long deadline = System.nanoTime() + 120_000_000_000L;
        YearMonth month = YearMonth.now(ZoneOffset.UTC);
        for (String url : deployment.shardUrls()) {
            while (ownedBuckets(url) == 0 || !monthPartitionsExist(url, month)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the service did not set up " + url + " within 120 s");
                }
                Thread.sleep(200);
            }
        }
    }

    private static boolean monthPartitionsExist(String url, YearMonth month) throws Exception {
        for (String table : PartitionManager.TABLES) {
            if (SinkRun.count(url, "SELECT count(*) FROM pg_class WHERE relname = '"
                    + PartitionManager.partitionName(table, month) + "'") == 0) {
                return false;
            }
        }
        return true;
    }

    private static long ownedBuckets(String url) throws Exception {
        try {
            return SinkRun.count(url, "SELECT count(*) FROM bucket_ownership");
        } catch (java.sql.SQLException notYet) {
            return 0;
        }
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    /**
     * The flags given, each {@code --name value}. An unknown name, or a flag without its value, stops the run before
     * anything starts: a mistyped flag would otherwise be ignored, and the whole 18-minute command run in its place.
     */
    static Map<String, String> flags(String[] args) {
        if (args.length % 2 != 0) {
            throw new IllegalArgumentException("flags look like --name value; " + args[args.length - 1]
                    + " has no value. Flags: " + FLAGS);
        }
        Map<String, String> flags = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            String name = args[i].startsWith("--") ? args[i].substring(2) : null;
            if (name == null || !FLAGS.contains(name)) {
                throw new IllegalArgumentException("unknown flag " + args[i] + ". Flags: " + FLAGS);
            }
            flags.put(name, args[i + 1]);
        }
        return flags;
    }
}
