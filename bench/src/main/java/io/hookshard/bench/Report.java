package io.hookshard.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.HdrHistogram.Histogram;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The run's results as JSON, a markdown table and two charts. */
final class Report {
    private final Map<String, Object> json = new LinkedHashMap<>();
    private final List<String> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    Report() {
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("memory_gib", ((com.sun.management.OperatingSystemMXBean) ManagementFactory
                .getOperatingSystemMXBean()).getTotalMemorySize() / (1024.0 * 1024 * 1024));
        machine.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        machine.put("max_heap_mib", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        json.put("started_at", Instant.now().toString());
        json.put("machine", machine);
    }

    static Map<String, Object> latency(Histogram histogram) {
        Map<String, Object> latency = new LinkedHashMap<>();
        latency.put("p50_ms", ms(histogram.getValueAtPercentile(50)));
        latency.put("p90_ms", ms(histogram.getValueAtPercentile(90)));
        latency.put("p99_ms", ms(histogram.getValueAtPercentile(99)));
        latency.put("p99_9_ms", ms(histogram.getValueAtPercentile(99.9)));
        latency.put("max_ms", ms(histogram.getMaxValue()));
        return latency;
    }

    void load(LoadGenerator.Result result) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("seconds", result.seconds());
        entry.put("answered_2xx", result.ok());
        entry.put("errors", result.errors());
        entry.put("per_second", Math.round(result.okPerSecond()));
        entry.put("latency", latency(result.latency()));
        if (!result.perSecond().isEmpty()) {
            // Where in the window a tail came from: a stall at the start or one anywhere.
            entry.put("p99_ms_by_second", result.perSecond().stream()
                    .map(second -> ms(second.getValueAtPercentile(99))).toList());
            entry.put("max_ms_by_second", result.perSecond().stream().map(second -> ms(second.getMaxValue())).toList());
        }
        json.put(result.name(), entry);
        Histogram h = result.latency();
        rows.add(String.format("| %s | %,d/s | %.2f | %.2f | %.2f | %.2f | %.2f | %d |", result.name(),
                Math.round(result.okPerSecond()), ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)),
                ms(h.getValueAtPercentile(99)), ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()), result.errors()));
    }

    void sink(SinkRun.Result result) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("records", result.records());
        entry.put("distinct_events", result.distinctEvents());
        entry.put("prefill_seconds", result.prefillSeconds());
        entry.put("seconds", result.seconds());
        entry.put("events_per_second", Math.round(result.eventsPerSecond()));
        entry.put("cpu_us_per_event", result.cpuPerRecord());
        entry.put("busy_cores", result.busyCores());
        json.put(result.name(), entry);
        rows.add(String.format("| %s | %,d/s | | | | | | %,d records, %,d distinct, %.1f s; CPU per event: %s |",
                result.name(), Math.round(result.eventsPerSecond()), result.records(), result.distinctEvents(),
                result.seconds(), result.cpuSummary()));
    }

    void endToEnd(String name, Histogram histogram, long events) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("events", events);
        entry.put("latency", latency(histogram));
        json.put(name, entry);
        rows.add(String.format("| %s | | %.2f | %.2f | %.2f | %.2f | %.2f | %,d events |", name,
                ms(histogram.getValueAtPercentile(50)), ms(histogram.getValueAtPercentile(90)),
                ms(histogram.getValueAtPercentile(99)), ms(histogram.getValueAtPercentile(99.9)),
                ms(histogram.getMaxValue()), events));
    }

    void profile(String name, Profiler.Profile profile) {
        json.put("profile_" + name, Map.of("samples", profile.samples(), "areas", profile.areas(),
                "hot_methods", profile.hotMethods(), "threads", profile.threads(), "long_compilations",
                profile.compilations()));
        StringBuilder note = new StringBuilder("Profile of " + name + " (JFR, " + profile.samples()
                + " CPU samples, " + profile.compilations() + " compilations over 100 ms): by area ");
        profile.areas().forEach((area, count) -> note.append(String.format("%s %.0f%%, ", area,
                100.0 * count / Math.max(1, profile.samples()))));
        note.setLength(note.length() - 2);
        note.append("; hottest methods ");
        profile.hotMethods().entrySet().stream().limit(6).forEach(entry -> note.append(String.format("%s %.0f%%, ",
                entry.getKey(), 100.0 * entry.getValue() / Math.max(1, profile.samples()))));
        note.setLength(note.length() - 2);
        note.append("; by thread ");
        profile.threads().forEach((thread, count) -> note.append(String.format("%s %.0f%%, ", thread,
                100.0 * count / Math.max(1, profile.samples()))));
        note.setLength(note.length() - 2);
        notes.add(note + ".");
    }

    /** The statements the shards spent the most time on during {@code name}, from pg_stat_statements. */
    void shardStatements(String name, List<ShardStatements.Statement> statements) {
        List<Map<String, Object>> entries = new ArrayList<>();
        double total = statements.stream().mapToDouble(ShardStatements.Statement::totalMs).sum();
        StringBuilder note = new StringBuilder("Shard statements of " + name + " (pg_stat_statements, both shards,"
                + " the " + statements.size() + " that took the most time, each with its share of theirs): ");
        for (ShardStatements.Statement statement : statements) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("query", statement.query());
            entry.put("calls", statement.calls());
            entry.put("total_ms", Math.round(statement.totalMs()));
            entry.put("mean_ms", Math.round(statement.meanMs() * 100) / 100.0);
            entry.put("max_ms", Math.round(statement.maxMs() * 100) / 100.0);
            entry.put("rows", statement.rows());
            entry.put("wal_bytes", statement.walBytes());
            entries.add(entry);
            String query = statement.query();
            note.append(String.format("`%s` %.0f%% (%,d calls, %.1f ms each, at most %.0f ms); ",
                    query.length() > 60 ? query.substring(0, 60) + "..." : query,
                    100 * statement.totalMs() / Math.max(1e-9, total), statement.calls(), statement.meanMs(),
                    statement.maxMs()));
        }
        json.put("shard_statements_" + name, entries);
        notes.add(note.toString());
    }

    void put(String key, Object value) {
        json.put(key, value);
    }

    void note(String line) {
        notes.add(line);
    }

    void write(Path directory, LoadGenerator.Result overTime) throws Exception {
        Files.createDirectories(directory);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(directory.resolve("result.json").toFile(),
                json);
        StringBuilder markdown = new StringBuilder("| phase | throughput | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms"
                + " | errors / notes |\n|---|---|---|---|---|---|---|---|\n");
        rows.forEach(row -> markdown.append(row).append('\n'));
        markdown.append('\n');
        notes.forEach(note -> markdown.append("- ").append(note).append('\n'));
        Files.writeString(directory.resolve("result.md"), markdown);
        if (overTime != null && !overTime.perSecond().isEmpty()) {
            charts(directory, overTime);
        }
    }

    private static void charts(Path directory, LoadGenerator.Result result) throws Exception {
        List<Double> seconds = new ArrayList<>();
        List<Double> p50 = new ArrayList<>();
        List<Double> p99 = new ArrayList<>();
        List<Double> max = new ArrayList<>();
        for (int s = 0; s < result.perSecond().size(); s++) {
            Histogram h = result.perSecond().get(s);
            if (h.getTotalCount() == 0) {
                continue;
            }
            seconds.add((double) s);
            p50.add(ms(h.getValueAtPercentile(50)));
            p99.add(ms(h.getValueAtPercentile(99)));
            max.add(ms(h.getMaxValue()));
        }
        XYChart overTime = new XYChartBuilder().width(900).height(450)
                .title(result.name() + ": latency over time (from intended send time)")
                .xAxisTitle("second").yAxisTitle("ms").build();
        overTime.addSeries("p50", seconds, p50);
        overTime.addSeries("p99", seconds, p99);
        overTime.addSeries("max", seconds, max);
        BitmapEncoder.saveBitmap(overTime, directory.resolve("latency-over-time").toString(),
                BitmapEncoder.BitmapFormat.PNG);

        List<String> buckets = new ArrayList<>();
        List<Double> counts = new ArrayList<>();
        double[] edges = {0.5, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 1000, 1e9};
        long previous = 0;
        for (double edge : edges) {
            long upTo = result.latency().getCountBetweenValues(0, (long) (edge * 1_000_000));
            buckets.add(edge >= 1e9 ? ">1000" : "<=" + (edge < 1 ? edge : Integer.toString((int) edge)));
            counts.add((double) (upTo - previous));
            previous = upTo;
        }
        CategoryChart histogram = new CategoryChartBuilder().width(900).height(450)
                .title(result.name() + ": latency histogram").xAxisTitle("ms").yAxisTitle("requests").build();
        histogram.addSeries("requests", buckets, counts);
        BitmapEncoder.saveBitmap(histogram, directory.resolve("latency-histogram").toString(),
                BitmapEncoder.BitmapFormat.PNG);
    }

    static double ms(long nanos) {
        return nanos / 1_000_000.0;
    }
}
