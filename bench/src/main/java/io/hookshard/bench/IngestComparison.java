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
 * own, and in each repetition, one after the other under the same load, the Dropwizard no-op, the bare HTTP->Kafka
 * stand-in and Hookshard ingest. Figures are medians over the repetitions; ratios are taken within a repetition.
 */
final class IngestComparison {
    private final BenchStack stack;
    private final Load load;
    private final Path out;
    private final int repetitions;
    private final double warmup;
    private final double seconds;
    private final List<Integer> rates;
    private final boolean jfr;

    IngestComparison(BenchStack stack, Load load, Path out, int repetitions, double warmup, double seconds,
                     List<Integer> rates, boolean jfr) {
        this.stack = stack;
        this.load = load;
        this.out = out;
        this.repetitions = repetitions;
        this.warmup = warmup;
        this.seconds = seconds;
        this.rates = List.copyOf(rates);
        this.jfr = jfr;
    }

    /** One repetition's closed loops and ingest's open loops by rate. */
    private record Repetition(LoadGenerator.Result noop, LoadGenerator.Result bare, LoadGenerator.Result ingest,
                              Map<Integer, LoadGenerator.Result> open, String loadBefore) {
        double toNoop() {
            return ingest.okPerSecond() / noop.okPerSecond();
        }

        double toBare() {
            return ingest.okPerSecond() / bare.okPerSecond();
        }
    }

    /** Runs the repetitions; returns the open loop at 5,000/s (or the first rate) of the median repetition. */
    LoadGenerator.Result run(Report report) throws Exception {
        Path logs = out.resolve("logs");
        Files.createDirectories(logs);
        List<Repetition> runs = new ArrayList<>();
        for (int r = 1; r <= repetitions; r++) {
            String loadBefore = Files.readString(Path.of("/proc/loadavg")).strip();
            Bench.log("ingest repetition %d of %d (load average before: %s)", r, repetitions, loadBefore);
            Measured noop;
            try (Target target = stack.startBaselineProcess(logs, jfrFile("noop", r))) {
                noop = closed(report, target, "no-op Dropwizard", r);
            }
            profile(report, jfrFile("noop", r), noop);
            Measured bare;
            try (Target target = stack.startBareProcess(logs, jfrFile("bare", r))) {
                bare = closed(report, target, "bare JDK HttpServer -> Kafka", r);
            }
            profile(report, jfrFile("bare", r), bare);
            Measured ingest;
            Map<Integer, LoadGenerator.Result> open = new LinkedHashMap<>();
            try (Target target = stack.startServiceProcess(stack.newDeployment(), logs, jfrFile("ingest", r))) {
                ingest = closed(report, target, "Hookshard ingest", r);
                for (int rate : rates) {
                    LoadGenerator.Result result = load.open("Hookshard ingest open loop " + rate + "/s, run " + r,
                            target.port(), rate, 5, seconds);
                    report.load(result);
                    open.put(rate, result);
                    Bench.log("  ingest at %,d/s: p99 %.2f ms", rate, Report.ms(result.latency()
                            .getValueAtPercentile(99)));
                }
            }
            profile(report, jfrFile("ingest", r), ingest);
            Repetition run = new Repetition(noop.result(), bare.result(), ingest.result(), open, loadBefore);
            runs.add(run);
            Bench.log("  run %d: ingest/no-op %.2f, ingest/bare %.2f", r, run.toNoop(), run.toBare());
        }
        summarise(report, runs);
        int chartRate = rates.contains(5000) ? 5000 : rates.get(0);
        List<Repetition> byP99 = new ArrayList<>(runs);
        byP99.sort(Comparator.comparingLong(run -> run.open().get(chartRate).latency().getValueAtPercentile(99)));
        return byP99.get(byP99.size() / 2).open().get(chartRate);
    }

    /** A closed loop's result and when it ran, to pick its samples out of the target's recording. */
    private record Measured(LoadGenerator.Result result, Instant from, Instant to) {
    }

    private Measured closed(Report report, Target target, String label, int repetition) throws Exception {
        load.closed("warm-up", target.port(), warmup);
        long cpuBefore = Cpu.ticks(target.pid());
        Instant from = Instant.now();
        LoadGenerator.Result result = load.closed(label + " closed loop, run " + repetition, target.port(), seconds);
        Instant to = Instant.now();
        double cpuSeconds = (Cpu.ticks(target.pid()) - cpuBefore) / Cpu.TICKS_PER_SECOND;
        report.load(result);
        report.put(result.name() + " cpu", Map.of("cpu_seconds", cpuSeconds, "cpu_microseconds_per_request",
                cpuSeconds * 1e6 / Math.max(1, result.ok())));
        Bench.log("  %s: %,d/s (%.0f us of the target's CPU per request)", label, Math.round(result.okPerSecond()),
                cpuSeconds * 1e6 / Math.max(1, result.ok()));
        return new Measured(result, from, to);
    }

    /** Reads a stopped target's recording: only the samples of its measured closed loop. */
    private static void profile(Report report, Path jfr, Measured measured) throws Exception {
        if (jfr != null && Files.exists(jfr)) {
            report.profile(measured.result().name(), Profiler.read(jfr, measured.from(), measured.to()));
        }
    }

    private Path jfrFile(String target, int repetition) {
        return jfr ? out.resolve(target + "-" + repetition + ".jfr") : null;
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
            summary.put("ingest_open_loop_" + rate + "_p99_ms", median(runs,
                    run -> Report.ms(run.open().get(rate).latency().getValueAtPercentile(99))));
            summary.put("ingest_open_loop_" + rate + "_p99_ms_runs", runs.stream()
                    .map(run -> Report.ms(run.open().get(rate).latency().getValueAtPercentile(99))).toList());
        }
        report.put("ingest_comparison", summary);
        report.note(String.format("Medians of %d repetitions (closed loop: %s; load averages before each: %s):"
                        + " no-op Dropwizard %,.0f/s, bare HTTP->Kafka %,.0f/s, Hookshard ingest %,.0f/s;"
                        + " ingest/no-op %.2f (target at least 0.85), ingest/bare %.2f.", runs.size(),
                load.closedLoopTool(), summary.get("load_average_before"), summary.get("noop_per_second"),
                summary.get("bare_per_second"), summary.get("ingest_per_second"), summary.get("ingest_to_noop"),
                summary.get("ingest_to_bare")));
        for (int rate : rates) {
            report.note(String.format("Ingest open loop at %,d/s: p99 %.2f ms (median of %d; runs %s).", rate,
                    summary.get("ingest_open_loop_" + rate + "_p99_ms"), runs.size(),
                    summary.get("ingest_open_loop_" + rate + "_p99_ms_runs")));
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
