package io.hookshard.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Ingest measured as its peers are: every server under test, the broker and the load generator in processes of their
 * own. The Dropwizard no-op, the bare HTTP->Kafka stand-in and Hookshard ingest are started once and warmed until
 * their throughput is steady, then measured in turn within each repetition under the same load: a closed loop each,
 * then an open loop each at every rate. Figures are medians over the repetitions; ratios are taken within a
 * repetition.
 */
final class IngestComparison {
    private static final String NOOP = "no-op Dropwizard";
    private static final String BARE = "bare JDK HttpServer -> Kafka";
    private static final String INGEST = "Hookshard ingest";
    private static final String TARGET = "target";
    /**
     * Warm-up windows: closed loops of this many seconds, until one is within {@link #STEADY} of the one before and
     * the target's JIT compiler threads used under {@link #COMPILER_SHARE} of its CPU in it.
     */
    private static final double WINDOW_SECONDS = 10;
    private static final double STEADY = 0.05;
    /**
     * Throughput alone took a plateau for steady state: ingest ran 11,431 and 11,861/s in two windows while its
     * compiler was still at work, then 11,859, 14,353 and 17,933/s in the measured repetitions (2026-11-25 16:07).
     */
    private static final double COMPILER_SHARE = 0.05;
    private static final int MIN_WINDOWS = 2;
    private static final int PRE_WARM_RATE = 2_000;
    private static final double PRE_WARM_SECONDS = 30;
    /**
     * An open loop's first seconds, not counted: the target's connections and its pace settling. The generator's own
     * JIT compiler has long finished by then (one generator process for the whole run, see {@link Load}).
     */
    private static final double LEAD_IN_SECONDS = 2;

    private final BenchStack stack;
    private final Load load;
    private final Path out;
    private final int repetitions;
    private final double maxWarmup;
    private final double seconds;
    private final List<Integer> rates;
    private final boolean jfr;

    /** @param maxWarmup the longest warm-up of a target, in seconds, should its throughput never settle */
    IngestComparison(BenchStack stack, Load load, Path out, int repetitions, double maxWarmup, double seconds,
                     List<Integer> rates, boolean jfr) {
        this.stack = stack;
        this.load = load;
        this.out = out;
        this.repetitions = repetitions;
        this.maxWarmup = maxWarmup;
        this.seconds = seconds;
        this.rates = List.copyOf(rates);
        this.jfr = jfr;
    }

    /** One repetition's closed loops, and each target's open loops by rate. */
    private record Repetition(LoadGenerator.Result noop, LoadGenerator.Result bare, LoadGenerator.Result ingest,
                              Map<String, Map<Integer, LoadGenerator.Result>> open, String loadBefore) {
        double toNoop() {
            return ingest.okPerSecond() / noop.okPerSecond();
        }

        double toBare() {
            return ingest.okPerSecond() / bare.okPerSecond();
        }

        double p99(String target, int rate) {
            return Report.ms(open.get(target).get(rate).latency().getValueAtPercentile(99));
        }
    }

    /** Runs the repetitions; returns ingest's open loop at 5,000/s (or the first rate) of the median repetition. */
    LoadGenerator.Result run(Report report) throws Exception {
        Path logs = out.resolve("logs");
        Files.createDirectories(logs);
        List<Repetition> runs = new ArrayList<>();
        Map<String, List<Measured>> measured = new LinkedHashMap<>();
        Map<String, Path> recordings = new LinkedHashMap<>();
        try (Target noop = stack.startBaselineProcess(logs, jfrFile("noop"));
             Target bare = stack.startBareProcess(logs, jfrFile("bare"));
             Target ingest = stack.startServiceProcess(stack.newDeployment(), logs, jfrFile("ingest"))) {
            Map<String, Target> targets = new LinkedHashMap<>();
            targets.put(NOOP, noop);
            targets.put(BARE, bare);
            targets.put(INGEST, ingest);
            Map<String, Object> warmups = new LinkedHashMap<>();
            for (var target : targets.entrySet()) {
                warmups.put(target.getKey(), warmUp(target.getKey(), target.getValue()));
                measured.put(target.getKey(), new ArrayList<>());
                recordings.put(target.getKey(), target.getValue().jfr());
            }
            report.put("ingest_warmup_windows_per_second", warmups);
            for (int r = 1; r <= repetitions; r++) {
                String loadBefore = Files.readString(Path.of("/proc/loadavg")).strip();
                Bench.log("ingest repetition %d of %d (load average before: %s)", r, repetitions, loadBefore);
                Map<String, LoadGenerator.Result> closed = new LinkedHashMap<>();
                for (var target : targets.entrySet()) {
                    Measured result = closed(report, target.getValue(), target.getKey(), r);
                    measured.get(target.getKey()).add(result);
                    closed.put(target.getKey(), result.result());
                }
                Map<String, Map<Integer, LoadGenerator.Result>> open = new LinkedHashMap<>();
                for (int rate : rates) {
                    for (var target : targets.entrySet()) {
                        Instant from = Instant.now();
                        LoadGenerator.Result result = load.open(target.getKey() + " open loop " + rate + "/s, run "
                                + r, target.getValue().port(), rate, LEAD_IN_SECONDS, seconds);
                        report.load(result);
                        brokerPauses(report, result, from);
                        open.computeIfAbsent(target.getKey(), name -> new LinkedHashMap<>()).put(rate, result);
                    }
                    Bench.log("  open loop at %,d/s, p99: no-op %.2f ms, bare %.2f ms, ingest %.2f ms", rate,
                            p99(open.get(NOOP).get(rate)), p99(open.get(BARE).get(rate)),
                            p99(open.get(INGEST).get(rate)));
                }
                Repetition run = new Repetition(closed.get(NOOP), closed.get(BARE), closed.get(INGEST), open,
                        loadBefore);
                runs.add(run);
                Bench.log("  run %d: ingest/no-op %.2f, ingest/bare %.2f", r, run.toNoop(), run.toBare());
            }
        }
        // The recordings are complete once their targets have stopped.
        for (var target : measured.entrySet()) {
            for (Measured run : target.getValue()) {
                profile(report, recordings.get(target.getKey()), run);
            }
        }
        summarise(report, runs);
        int chartRate = rates.contains(5000) ? 5000 : rates.get(0);
        List<Repetition> byP99 = new ArrayList<>(runs);
        byP99.sort(Comparator.comparingDouble(run -> run.p99(INGEST, chartRate)));
        return byP99.get(byP99.size() / 2).open().get(INGEST).get(chartRate);
    }

    /**
     * An open loop the target can take, then closed loops of {@link #WINDOW_SECONDS} until one's throughput is within
     * {@link #STEADY} of the one before and the compiler's share of its CPU under {@link #COMPILER_SHARE} (at most
     * {@code maxWarmup} seconds in all). On two cores a Dropwizard server
     * under a saturating load from its start needed two minutes before its JIT compiler had done its work (the no-op:
     * 1,600/s in its first 10 s, 37,000/s after 120 s); with the open loop first, its first closed loop ran
     * 31,000-33,000/s. Returns each closed loop's throughput.
     */
    private List<Long> warmUp(String name, Target target) throws Exception {
        // First a load the target can take: a saturating one leaves the JIT compiler little of the two cores. The
        // three targets warmed this way at once, rather than in turn, left the no-op 70 s from steady afterwards.
        load.open("warm-up", target.port(), PRE_WARM_RATE, 0, PRE_WARM_SECONDS);
        List<Long> windows = new ArrayList<>();
        int limit = Math.max(MIN_WINDOWS, (int) ((maxWarmup - PRE_WARM_SECONDS) / WINDOW_SECONDS));
        double previous = 0;
        boolean steady = false;
        List<Long> compilerPercent = new ArrayList<>();
        while (!steady && windows.size() < limit) {
            Map<String, Long> threads = Cpu.byThreadGroup(target.pid());
            double perSecond = load.closed("warm-up", target.port(), WINDOW_SECONDS).okPerSecond();
            double compiler = Cpu.compilerShare(threads, Cpu.byThreadGroup(target.pid()));
            windows.add(Math.round(perSecond));
            compilerPercent.add(Math.round(100 * compiler));
            steady = windows.size() >= MIN_WINDOWS && Math.abs(perSecond - previous) <= STEADY * previous
                    && compiler < COMPILER_SHARE;
            previous = perSecond;
        }
        Bench.log("ingest: %s warmed up for %.0f s (%s): closed loops %s/s, the compiler's share of its CPU %s%%", name,
                PRE_WARM_SECONDS + windows.size() * WINDOW_SECONDS, steady ? "steady" : "NOT steady at the limit",
                windows, compilerPercent);
        return windows;
    }

    /** The broker's GC pauses within an open loop's measured window, beside its latencies in the report. */
    private void brokerPauses(Report report, LoadGenerator.Result result, Instant started) throws Exception {
        Instant measuredFrom = started.plusMillis((long) (LEAD_IN_SECONDS * 1000));
        GcLog.Summary pauses = stack.brokerGc().between(measuredFrom, Instant.now());
        report.put(result.name() + " broker GC pauses", pauses);
        if (pauses.longestMs() >= 10) {
            Bench.log("  %s: the broker's GC paused %s", result.name(), pauses);
        }
    }

    private static double p99(LoadGenerator.Result result) {
        return Report.ms(result.latency().getValueAtPercentile(99));
    }

    /** A closed loop's result and when it ran, to pick its samples out of the target's recording. */
    private record Measured(LoadGenerator.Result result, Instant from, Instant to) {
    }

    /**
     * A closed loop against one target, with the CPU each process used per request: the target, the broker (which
     * the bare stand-in and ingest produce to), the shards (idle here) and the rest of the machine, which is mostly
     * the load generator.
     */
    private Measured closed(Report report, Target target, String label, int repetition) throws Exception {
        Map<String, Long> processes = new LinkedHashMap<>();
        processes.put(TARGET, target.pid());
        processes.putAll(stack.serverProcesses());
        Map<String, Long> cpuBefore = Cpu.byTree(processes);
        Instant from = Instant.now();
        LoadGenerator.Result result = load.closed(label + " closed loop, run " + repetition, target.port(), seconds);
        Instant to = Instant.now();
        Map<String, Long> cpuAfter = Cpu.byTree(processes);
        Map<String, Double> perRequest = Cpu.perUnit(cpuBefore, cpuAfter, result.ok());
        double busyCores = Cpu.busyCores(cpuBefore, cpuAfter, result.seconds());
        report.load(result);
        Map<String, Object> cpu = new LinkedHashMap<>();
        cpu.put("cpu_seconds", perRequest.getOrDefault(TARGET, 0.0) * result.ok() / 1e6);
        cpu.put("cpu_microseconds_per_request", perRequest.getOrDefault(TARGET, 0.0));
        cpu.put("cpu_microseconds_per_request_by_process", perRequest);
        cpu.put("busy_cores", busyCores);
        report.put(result.name() + " cpu", cpu);
        Bench.log("  %s: %,d/s (CPU per request: %s; %.2f cores busy)", label, Math.round(result.okPerSecond()),
                Cpu.describe(perRequest), busyCores);
        return new Measured(result, from, to);
    }

    /** Reads a stopped target's recording: only the samples of its measured closed loop. */
    private static void profile(Report report, Path jfr, Measured measured) throws Exception {
        if (jfr != null && Files.exists(jfr)) {
            report.profile(measured.result().name(), Profiler.read(jfr, measured.from(), measured.to()));
        }
    }

    private Path jfrFile(String target) {
        return jfr ? out.resolve(target + ".jfr") : null;
    }

    private void summarise(Report report, List<Repetition> runs) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("repetitions", runs.size());
        summary.put("closed_loop", load.closedLoopTool());
        summary.put("load_average_before", runs.stream().map(Repetition::loadBefore).toList());
        summary.put("noop_per_second", median(runs, run -> run.noop().okPerSecond()));
        summary.put("bare_per_second", median(runs, run -> run.bare().okPerSecond()));
        summary.put("ingest_per_second", median(runs, run -> run.ingest().okPerSecond()));
        summary.put("ingest_to_noop", median(runs, Repetition::toNoop));
        summary.put("ingest_to_bare", median(runs, Repetition::toBare));
        summary.put("ingest_to_noop_runs", runs.stream().map(Repetition::toNoop).toList());
        summary.put("ingest_to_bare_runs", runs.stream().map(Repetition::toBare).toList());
        for (int rate : rates) {
            for (var target : List.of(Map.entry("noop", NOOP), Map.entry("bare", BARE), Map.entry("ingest", INGEST))) {
                summary.put(target.getKey() + "_open_loop_" + rate + "_p99_ms", median(runs,
                        run -> run.p99(target.getValue(), rate)));
                summary.put(target.getKey() + "_open_loop_" + rate + "_p99_ms_runs", runs.stream()
                        .map(run -> run.p99(target.getValue(), rate)).toList());
            }
        }
        report.put("ingest_comparison", summary);
        report.note(String.format("Medians of %d repetitions (closed loop: %s; load averages before each: %s):"
                        + " no-op Dropwizard %,.0f/s, bare HTTP->Kafka %,.0f/s, Hookshard ingest %,.0f/s;"
                        + " ingest/no-op %.2f (target at least 0.85), ingest/bare %.2f.", runs.size(),
                load.closedLoopTool(), summary.get("load_average_before"), summary.get("noop_per_second"),
                summary.get("bare_per_second"), summary.get("ingest_per_second"), summary.get("ingest_to_noop"),
                summary.get("ingest_to_bare")));
        for (int rate : rates) {
            report.note(String.format("Open loop at %,d/s, p99 (medians of %d): Hookshard ingest %.2f ms (runs %s);"
                            + " under the same load, no-op Dropwizard %.2f ms (runs %s), bare HTTP->Kafka %.2f ms"
                            + " (runs %s).", rate, runs.size(), summary.get("ingest_open_loop_" + rate + "_p99_ms"),
                    summary.get("ingest_open_loop_" + rate + "_p99_ms_runs"),
                    summary.get("noop_open_loop_" + rate + "_p99_ms"),
                    summary.get("noop_open_loop_" + rate + "_p99_ms_runs"),
                    summary.get("bare_open_loop_" + rate + "_p99_ms"),
                    summary.get("bare_open_loop_" + rate + "_p99_ms_runs")));
        }
        Bench.log("ingest: medians no-op %,.0f/s, bare %,.0f/s, ingest %,.0f/s; ingest/no-op %.2f, ingest/bare %.2f",
                summary.get("noop_per_second"), summary.get("bare_per_second"), summary.get("ingest_per_second"),
                summary.get("ingest_to_noop"), summary.get("ingest_to_bare"));
    }

    private static double median(List<Repetition> runs, ToDoubleFunction<Repetition> value) {
        double[] values = runs.stream().mapToDouble(value).sorted().toArray();
        return values.length % 2 == 1 ? values[values.length / 2]
                : (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
    }
}
