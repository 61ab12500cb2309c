package io.hookshard.bench;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The CPU of each named process tree (and of the machine), second by second while a window runs: a window's worst
 * seconds show whether the machine was saturated then, and by whom. Samples {@link Cpu#byTree} every 250 ms on a
 * daemon thread of the benchmark's own JVM (a scan of /proc, well under a millisecond of CPU).
 */
final class CpuTimeline implements AutoCloseable {
    private static final long PERIOD_MS = 250;
    /** A window's worth and more: a timeline lives for one window. */
    private static final int KEEP = 4_000;

    private final Sampled<Map<String, Long>> samples;

    CpuTimeline(Map<String, Long> processes) {
        Map<String, Long> trees = Map.copyOf(processes);
        samples = new Sampled<>("cpu-timeline", PERIOD_MS, KEEP, () -> Cpu.byTree(trees));
    }

    /**
     * Each whole second from {@code from}: milliseconds of CPU by tree, {@link Cpu#OTHER} for the rest of the
     * machine's busy time and {@link Cpu#MACHINE} for all of it (2,000 on two saturated cores); empty where no
     * samples span the second.
     */
    List<Map<String, Double>> bySecond(Instant from, int seconds) {
        return samples.bySecond(from, seconds).stream()
                .map(span -> span.map(s -> msPerSecond(s.start(), s.end(), s.seconds())).orElse(Map.of())).toList();
    }

    static Map<String, Double> msPerSecond(Map<String, Long> before, Map<String, Long> after, double seconds) {
        Map<String, Double> ms = new LinkedHashMap<>();
        long accounted = 0;
        for (var entry : after.entrySet()) {
            if (!entry.getKey().equals(Cpu.MACHINE)) {
                long used = entry.getValue() - before.getOrDefault(entry.getKey(), 0L);
                accounted += used;
                ms.put(entry.getKey(), used * 1000 / Cpu.TICKS_PER_SECOND / seconds);
            }
        }
        long machine = after.getOrDefault(Cpu.MACHINE, 0L) - before.getOrDefault(Cpu.MACHINE, 0L);
        ms.put(Cpu.OTHER, Math.max(0, machine - accounted) * 1000 / Cpu.TICKS_PER_SECOND / seconds);
        ms.put(Cpu.MACHINE, machine * 1000 / Cpu.TICKS_PER_SECOND / seconds);
        return ms;
    }

    /** e.g. "machine 1990 ms: service 900, broker 300, ...". */
    static String describe(Map<String, Double> second) {
        if (second.isEmpty()) {
            return "CPU not sampled";
        }
        StringBuilder text = new StringBuilder(String.format("CPU %.0f ms:", second.get(Cpu.MACHINE)));
        second.forEach((name, ms) -> {
            if (!name.equals(Cpu.MACHINE)) {
                text.append(String.format(" %s %.0f", name, ms));
            }
        });
        return text.toString();
    }

    @Override
    public void close() {
        samples.close();
    }
}
