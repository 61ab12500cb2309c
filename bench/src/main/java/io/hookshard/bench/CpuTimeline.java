package io.hookshard.bench;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The CPU of each named process tree (and of the machine), second by second while a window runs: a window's worst
 * seconds show whether the machine was saturated then, and by whom. Samples {@link Cpu#byTree} every 250 ms on a
 * daemon thread of the benchmark's own JVM (a scan of /proc, well under a millisecond of CPU).
 */
final class CpuTimeline implements AutoCloseable {
    private static final long PERIOD_MS = 250;

    private final Map<String, Long> processes;
    private final TreeMap<Instant, Map<String, Long>> samples = new TreeMap<>();
    private final Thread sampler;

    CpuTimeline(Map<String, Long> processes) {
        this.processes = Map.copyOf(processes);
        sampler = new Thread(this::sample, "cpu-timeline");
        sampler.setDaemon(true);
        sampler.start();
    }

    private void sample() {
        while (!Thread.currentThread().isInterrupted()) {
            Map<String, Long> now = Cpu.byTree(processes);
            synchronized (samples) {
                samples.put(Instant.now(), now);
            }
            try {
                Thread.sleep(PERIOD_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * Each whole second from {@code from}: milliseconds of CPU by tree, {@link Cpu#OTHER} for the rest of the
     * machine's busy time and {@link Cpu#MACHINE} for all of it (2,000 on two saturated cores); empty where no
     * samples span the second.
     */
    List<Map<String, Double>> bySecond(Instant from, int seconds) {
        List<Map<String, Double>> result = new ArrayList<>();
        synchronized (samples) {
            for (int s = 0; s < seconds; s++) {
                var start = samples.floorEntry(from.plusSeconds(s));
                // The first sample at or after the second's end: a sampler held up leaves none inside it.
                var end = samples.ceilingEntry(from.plusSeconds(s + 1));
                if (end == null) {
                    end = samples.lastEntry();
                }
                if (start == null || end == null || !end.getKey().isAfter(start.getKey())) {
                    result.add(Map.of());
                    continue;
                }
                result.add(msPerSecond(start.getValue(), end.getValue(),
                        (end.getKey().toEpochMilli() - start.getKey().toEpochMilli()) / 1000.0));
            }
        }
        return result;
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
        sampler.interrupt();
    }
}
