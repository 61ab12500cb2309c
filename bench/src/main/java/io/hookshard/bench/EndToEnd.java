package io.hookshard.bench;

import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * End to end: the service (ingest, consumers and outbox relay in one process) under the benchmark's generator in a
 * JVM of its own, at each of the rates; for every stored event of the measured window, stored_at minus received_at,
 * besides the generator's 202 latencies. One service process for every repetition, warmed at the lowest rate first:
 * on two cores its JIT compiler still took a third of a core a minute after the start, and a payment service is
 * measured running, not starting. Each rate then has 5 s unmeasured before the measured seconds, and the consumers
 * catch up before the next.
 */
final class EndToEnd {
    /** The generator's first seconds of each rate, not counted. */
    private static final int UNMEASURED_SECONDS = 5;
    private static final String SERVICE = "service";
    /**
     * A fetch waits up to 25 ms for 256 KiB of events: fewer, larger shard transactions at 2,000/s (README,
     * "Scaling"). Not the sink's: in two runs each after the full command of 22:03, the sink consumed 9,519 and
     * 10,670 events/s with it against 10,785 and 12,094 without.
     */
    private static final List<String> FETCH_WAIT = List.of("-Ddw.consumers.fetchMinBytes=262144",
            "-Ddw.consumers.fetchMaxWait=25ms");
    private static final double WARMUP_WINDOW_SECONDS = 10;
    private static final double MIN_WARMUP_SECONDS = 30;
    /** The share of the service's CPU its JIT compiler threads may use in a window that ends the warm-up. */
    private static final double COMPILER_SHARE = 0.05;
    /** A window above capacity has every second slow: the log shows the worst few, result.json every one. */
    private static final int LOGGED_SLOW_SECONDS = 3;

    private final BenchStack stack;
    private final Load load;
    private final Path out;
    private final int repetitions;
    private final double seconds;
    private final double warmup;
    private final List<Integer> rates;
    private final int workersPerTopic;
    private final boolean jfr;

    /**
     * @param workersPerTopic the service's consumer workers per topic. One by default: at 2,000/s on two cores shared
     *                        with ingest, the broker and the shards, three workers (the sink's setting) wrote 40,000
     *                        events in about 4,100 shard transactions with 1.8-2.0 cores busy; one worker, with
     *                        {@link #FETCH_WAIT}, in about 1,450 with 1.5-1.7 (BENCHMARKS.md has the
     *                        latencies). The sink needs the three: with one it consumed 8,852-11,202 events/s.
     */
    EndToEnd(BenchStack stack, Load load, Path out, int repetitions, double seconds, double warmup,
             List<Integer> rates, int workersPerTopic, boolean jfr) {
        this.stack = stack;
        this.load = load;
        this.out = out;
        this.repetitions = repetitions;
        this.seconds = seconds;
        this.warmup = warmup;
        this.rates = List.copyOf(rates);
        this.workersPerTopic = workersPerTopic;
        this.jfr = jfr;
    }

    /**
     * A window's stored latencies, the worst of them in each second of the window (by due send time), and its events
     * stored more than {@link SlowSeconds#THRESHOLD_MS} after they were received.
     */
    private record Stored(Histogram latency, long[] maxBySecond, List<SlowSeconds.Late> late) {
    }

    void run(Report report) throws Exception {
        Path logs = out.resolve("logs");
        Files.createDirectories(logs);
        Map<Integer, List<double[]>> byRate = new LinkedHashMap<>();
        List<String> loads = new ArrayList<>();
        Map<String, Object> windowsDetail = new LinkedHashMap<>();
        BenchStack.Deployment deployment = stack.newDeployment();
        Path recording = jfr ? out.resolve("e2e.jfr") : null;
        Map<String, Instant[]> windows = new LinkedHashMap<>();
        try (Target service = stack.startServiceProcess(deployment, deployment.ordersTopic(), workersPerTopic, true,
                FETCH_WAIT, logs.resolve("e2e.log"), recording)) {
            report.put("end_to_end_warmup", warmUp(service, deployment));
            // Every repetition of a rate before the next rate: a rate above capacity leaves a backlog (requests
            // queued for seconds, a heap to collect) that would land in the first seconds of a lower rate's window.
            for (int rate : rates) {
                for (int r = 1; r <= repetitions; r++) {
                    String loadBefore = Files.readString(Path.of("/proc/loadavg")).strip();
                    loads.add(loadBefore);
                    String name = "end-to-end at " + rate + "/s, run " + r;
                    Bench.log("%s (load average before: %s)", name, loadBefore);
                    Instant from = Instant.now();
                    windowsDetail.put(name, window(report, service, deployment, name, rate, byRate));
                    windows.put(name, new Instant[] {from, Instant.now()});
                }
            }
        }
        stack.drop(deployment);
        if (recording != null && Files.exists(recording)) {
            for (var window : windows.entrySet()) {
                if (window.getKey().endsWith("run 1")) {
                    report.profile(window.getKey(), Profiler.read(recording, window.getValue()[0],
                            window.getValue()[1]));
                }
            }
        }
        summarise(report, byRate, loads, windowsDetail);
    }

    /**
     * Load at the first rate in windows of {@link #WARMUP_WINDOW_SECONDS} until the service's JIT compiler threads
     * used less than {@link #COMPILER_SHARE} of its CPU in one (at least {@link #MIN_WARMUP_SECONDS}, at most {@code
     * warmup} seconds), then until the consumers caught up. After a fixed 60 s at 2,000/s and the catch-up, the
     * compiler still used 161 us of the service's 534 us of CPU per event in the first measured window; once it was
     * done, 1-14 us.
     */
    private Map<String, Object> warmUp(Target service, BenchStack.Deployment deployment) throws Exception {
        int rate = rates.get(0);
        List<Double> shares = new ArrayList<>();
        double elapsed = 0;
        boolean steady = false;
        while (!steady && elapsed < warmup) {
            Map<String, Long> before = Cpu.byThreadGroup(service.pid());
            load.open("end-to-end warm-up", service.port(), rate, 0, WARMUP_WINDOW_SECONDS);
            elapsed += WARMUP_WINDOW_SECONDS;
            double share = Cpu.compilerShare(before, Cpu.byThreadGroup(service.pid()));
            shares.add(share);
            steady = elapsed >= MIN_WARMUP_SECONDS && share < COMPILER_SHARE;
        }
        awaitConsumed(deployment);
        Bench.log("end to end: warmed up at %,d/s for %.0f s (%s); the compiler's share of the service's CPU in each"
                        + " window: %s", rate, elapsed, steady ? "steady" : "NOT steady at the limit",
                shares.stream().map(share -> String.format("%.0f%%", 100 * share)).toList());
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("seconds", elapsed);
        summary.put("steady", steady);
        summary.put("compiler_share_of_service_cpu_by_window", shares);
        return summary;
    }

    /** One measured window at {@code rate}: its latencies, and where the machine's CPU went per event. */
    private Map<String, Object> window(Report report, Target service, BenchStack.Deployment deployment, String name,
                                       int rate, Map<Integer, List<double[]>> byRate) throws Exception {
        String run = "e" + System.nanoTime();
        long unpublishedBefore = SinkRun.unpublished(deployment);
        Map<String, Long> processes = new LinkedHashMap<>();
        processes.put(SERVICE, service.pid());
        processes.putAll(stack.serverProcesses());
        Map<String, Long> cpuBefore = Cpu.byTree(processes);
        Map<String, Long> threadsBefore = Cpu.byThreadGroup(service.pid());
        long[] modesBefore = Cpu.userAndSystem(service.pid());
        long brokerPid = stack.serverProcesses().getOrDefault("broker", -1L);
        Map<String, Long> brokerThreadsBefore = Cpu.byThreadGroup(brokerPid);
        ShardStatements.reset(deployment.shardUrls());
        Instant from = Instant.now();
        LoadGenerator.Result provider;
        List<Map<String, Double>> cpuBySecond;
        try (CpuTimeline timeline = new CpuTimeline(processes)) {
            provider = load.open(name + ": 202 latency", service.port(), rate, UNMEASURED_SECONDS, seconds, run);
            cpuBySecond = timeline.bySecond(measuredFrom(from), (int) Math.ceil(seconds));
        }
        Instant to = Instant.now();
        Map<String, Long> cpuSent = Cpu.byTree(processes);
        report.load(provider);
        awaitConsumed(deployment);
        // Up to the last event consumed, so that the work of every event sent is counted once.
        long sent = (long) ((UNMEASURED_SECONDS + seconds) * rate);
        Map<String, Double> cpuPerEvent = Cpu.perUnit(cpuBefore, Cpu.byTree(processes), sent);
        Map<String, Double> serviceThreads = Cpu.perUnitByGroup(threadsBefore, Cpu.byThreadGroup(service.pid()),
                sent);
        long[] modesAfter = Cpu.userAndSystem(service.pid());
        Map<String, Double> brokerThreads = Cpu.perUnitByGroup(brokerThreadsBefore, Cpu.byThreadGroup(brokerPid),
                sent);
        // The kernel's share: at a fixed rate each request and each batch wakes threads (futex, epoll, socket calls).
        double serviceUser = (modesAfter[0] - modesBefore[0]) / Cpu.TICKS_PER_SECOND * 1e6 / sent;
        double serviceSystem = (modesAfter[1] - modesBefore[1]) / Cpu.TICKS_PER_SECOND * 1e6 / sent;
        double busyCores = Cpu.busyCores(cpuBefore, cpuSent, java.time.Duration.between(from, to).toNanos() / 1e9);
        // Before the latency query, which would be among them.
        report.shardStatements(name, ShardStatements.top(deployment.shardUrls(), 12));
        Stored stored = storedLatency(deployment, run, rate);
        Histogram latency = stored.latency();
        report.endToEnd(name + ": received_at -> stored_at", latency, latency.getTotalCount());
        if (latency.getTotalCount() != provider.ok()) {
            report.note(String.format("%s: %,d webhooks answered 202 in the measured window, %,d of them found"
                    + " stored.", name, provider.ok(), latency.getTotalCount()));
        }
        byRate.computeIfAbsent(rate, k -> new ArrayList<>()).add(new double[] {
                Report.ms(latency.getValueAtPercentile(99)), Report.ms(latency.getValueAtPercentile(50)),
                Report.ms(provider.latency().getValueAtPercentile(99)),
                Report.ms(provider.latency().getValueAtPercentile(50))});
        Bench.log("  stored p50 %.1f ms, p99 %.1f ms over %,d events; 202 p50 %.1f ms, p99 %.1f ms; worst stored"
                        + " latency by second %s ms", Report.ms(latency.getValueAtPercentile(50)),
                Report.ms(latency.getValueAtPercentile(99)), latency.getTotalCount(),
                Report.ms(provider.latency().getValueAtPercentile(50)),
                Report.ms(provider.latency().getValueAtPercentile(99)),
                Arrays.stream(stored.maxBySecond()).mapToObj(max -> String.format("%.0f", Report.ms(max))).toList());
        Bench.log("  CPU per event: %s; %.2f cores busy; the service's in user mode %.0f us, in the kernel %.0f us;"
                        + " by thread: %s", Cpu.describe(cpuPerEvent), busyCores, serviceUser, serviceSystem,
                Cpu.describe(serviceThreads));
        Bench.log("  the broker's CPU per event by thread: %s", Cpu.describe(brokerThreads));
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("started_at", from.toString());
        detail.put("outbox_unpublished_before", unpublishedBefore);
        detail.put("cpu_microseconds_per_event_by_process", cpuPerEvent);
        detail.put("busy_cores", busyCores);
        detail.put("service_cpu_microseconds_per_event_by_thread", serviceThreads);
        detail.put("broker_cpu_microseconds_per_event_by_thread", brokerThreads);
        detail.put("service_user_microseconds_per_event", serviceUser);
        detail.put("service_system_microseconds_per_event", serviceSystem);
        GcLog.Summary brokerPauses = stack.brokerGc().between(
                from.plusMillis((long) (UNMEASURED_SECONDS * 1000)), to);
        detail.put("broker_gc_pauses", brokerPauses);
        Bench.log("  the broker's GC pauses in the window: %s", brokerPauses);
        detail.put("stored_max_ms_by_second", Arrays.stream(stored.maxBySecond()).mapToObj(Report::ms).toList());
        machineStalls(detail, stored, cpuBySecond, measuredFrom(from));
        return detail;
    }

    /**
     * When the window's first measured second began, as the generator counts seconds (a request's second is its due
     * send time's): its schedule starts {@link LoadGenerator#START_DELAY} after the load is handed over at {@code
     * handedOver}. The machine's seconds are aligned to it within a sample (250 ms for CPU, 100 ms for stalls).
     */
    private static Instant measuredFrom(Instant handedOver) {
        return handedOver.plus(LoadGenerator.START_DELAY).plusMillis((long) (UNMEASURED_SECONDS * 1000));
    }

    /** The machine's CPU and stalls by second, and the seconds over {@link SlowSeconds#THRESHOLD_MS} described. */
    private void machineStalls(Map<String, Object> detail, Stored stored, List<Map<String, Double>> cpuBySecond,
                               Instant measuredFrom) {
        List<MachineStalls.Second> stalls = stack.stalls().bySecond(measuredFrom, stored.maxBySecond().length);
        List<String> slow = SlowSeconds.describe(stored.maxBySecond(), stored.late(), cpuBySecond, stalls, detail);
        double[] busy = cpuBySecond.stream().filter(second -> !second.isEmpty())
                .mapToDouble(second -> second.get(Cpu.MACHINE)).sorted().toArray();
        Bench.log("  the machine's CPU by second: median %.0f ms, at most %.0f ms; lost in the window: steal %.0f ms,"
                        + " I/O full %.0f ms; seconds over %.0f ms: %s", busy.length == 0 ? 0 : Bench.median(busy),
                busy.length == 0 ? 0 : busy[busy.length - 1],
                stalls.stream().mapToDouble(MachineStalls.Second::stealMs).sum(),
                stalls.stream().mapToDouble(MachineStalls.Second::ioFullMs).sum(), SlowSeconds.THRESHOLD_MS,
                SlowSeconds.worst(slow, LOGGED_SLOW_SECONDS));
    }

    private void summarise(Report report, Map<Integer, List<double[]>> byRate, List<String> loads,
                           Map<String, Object> windowsDetail) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("load_average_before", loads);
        summary.put("windows", windowsDetail);
        String[] keys = {"stored_p99_ms", "stored_p50_ms", "provider_202_p99_ms", "provider_202_p50_ms"};
        for (var entry : byRate.entrySet()) {
            Map<String, Object> rate = new LinkedHashMap<>();
            for (int k = 0; k < keys.length; k++) {
                int index = k;
                double[] values = entry.getValue().stream().mapToDouble(v -> v[index]).toArray();
                rate.put(keys[k], Bench.median(values));
                rate.put(keys[k] + "_runs", Arrays.stream(values).boxed().toList());
            }
            summary.put(Integer.toString(entry.getKey()), rate);
            report.note(String.format("End to end at %,d/s (medians of %d): received_at -> stored_at p50 %.1f ms,"
                            + " p99 %.1f ms (runs %s; target under 100 ms at 2,000/s); provider's 202 p50 %.1f ms,"
                            + " p99 %.1f ms.", entry.getKey(), entry.getValue().size(), rate.get("stored_p50_ms"),
                    rate.get("stored_p99_ms"), rate.get("stored_p99_ms_runs"), rate.get("provider_202_p50_ms"),
                    rate.get("provider_202_p99_ms")));
        }
        report.put("end_to_end_summary", summary);
    }

    /**
     * stored_at - received_at of run {@code run}'s measured events, on every shard. Request {@code i} is due at
     * {@code i / rate} s, so its second of the measured window is {@code i / rate - UNMEASURED_SECONDS}.
     */
    private Stored storedLatency(BenchStack.Deployment deployment, String run, int rate) throws Exception {
        long from = (long) UNMEASURED_SECONDS * rate;
        long to = (long) ((UNMEASURED_SECONDS + seconds) * rate);
        Histogram histogram = new Histogram(600_000_000_000L, 3);
        long[] maxBySecond = new long[(int) Math.ceil(seconds)];
        List<SlowSeconds.Late> late = new ArrayList<>();
        List<String> urls = deployment.shardUrls();
        for (int shard = 0; shard < urls.size(); shard++) {
            try (Connection connection = DriverManager.getConnection(urls.get(shard), "postgres", "");
                 Statement statement = connection.createStatement();
                 ResultSet rs = statement.executeQuery(
                         "SELECT split_part(provider_event_id, '-', 3)::bigint,"
                                 + " (extract(epoch FROM stored_at - received_at) * 1000000000)::bigint,"
                                 + " (extract(epoch FROM stored_at) * 1000000)::bigint,"
                                 + " (extract(epoch FROM received_at) * 1000000)::bigint"
                                 + " FROM order_events WHERE provider_event_id LIKE 'evt-" + run + "-%'"
                                 + " AND split_part(provider_event_id, '-', 3)::bigint BETWEEN " + from + " AND "
                                 + (to - 1))) {
                while (rs.next()) {
                    long latency = Math.max(0, rs.getLong(2));
                    histogram.recordValue(latency);
                    int second = (int) Math.min(maxBySecond.length - 1, (rs.getLong(1) - from) / rate);
                    maxBySecond[second] = Math.max(maxBySecond[second], latency);
                    if (Report.ms(latency) > SlowSeconds.THRESHOLD_MS) {
                        late.add(new SlowSeconds.Late(second, shard, rs.getLong(3), rs.getLong(4)));
                    }
                }
            }
        }
        return new Stored(histogram, maxBySecond, late);
    }

    private void awaitConsumed(BenchStack.Deployment deployment) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (SinkRun.lag(admin, "hookshard-" + deployment.namespace(), deployment.ordersTopic()) > 0
                    && System.nanoTime() < deadline) {
                Thread.sleep(250);
            }
        }
    }
}
