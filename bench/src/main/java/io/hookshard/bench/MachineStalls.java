package io.hookshard.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * What the machine lost to things no process of the run controls, second by second: CPU time the hypervisor gave
 * other guests (steal, from {@code /proc/stat}) and time every runnable task waited on I/O at once (the kernel's
 * pressure stall information, {@code /proc/pressure/io}, "full"), beside I/O wait and time some task waited on I/O
 * ("some"). An end-to-end window's worst seconds are laid beside them: a stall of the whole machine shows there,
 * and in no process's profile or GC log. Sampled every 100 ms on a daemon thread of the benchmark's own JVM; where
 * a file is absent its figure stays 0.
 */
final class MachineStalls implements AutoCloseable {
    private static final Path STAT = Path.of("/proc/stat");
    private static final Path IO_PRESSURE = Path.of("/proc/pressure/io");
    private static final long PERIOD_MS = 100;
    /** Two hours of samples: longer than any run. */
    private static final int KEEP = 72_000;

    /** Cumulative counters at one instant: steal and iowait in clock ticks, the pressure totals in microseconds. */
    record Sample(Instant at, long stealTicks, long iowaitTicks, long ioSomeMicros, long ioFullMicros) {
    }

    /** One second's losses, in milliseconds (steal is CPU time summed over the cores). */
    record Second(double stealMs, double iowaitMs, double ioSomeMs, double ioFullMs) {
        boolean any() {
            return stealMs >= 10 || ioFullMs >= 10;
        }

        @Override
        public String toString() {
            return String.format("steal %.0f ms, I/O full %.0f ms (some %.0f ms, iowait %.0f ms)", stealMs, ioFullMs,
                    ioSomeMs, iowaitMs);
        }
    }

    private final Sampled<Sample> samples = new Sampled<>("machine-stalls", PERIOD_MS, KEEP,
            () -> read(Instant.now()));

    /** Each whole second from {@code from} for {@code seconds}: what it lost, per second (see {@link Sampled}). */
    List<Second> bySecond(Instant from, int seconds) {
        return samples.bySecond(from, seconds).stream()
                .map(span -> span.map(s -> between(s.start(), s.end())).orElse(new Second(0, 0, 0, 0))).toList();
    }

    /** What was lost between two samples, per second of the span between them. */
    static Second between(Sample a, Sample b) {
        double perSecond = 1e9 / Math.max(1, java.time.Duration.between(a.at(), b.at()).toNanos());
        double tickMs = 1000 / Cpu.TICKS_PER_SECOND * perSecond;
        return new Second((b.stealTicks() - a.stealTicks()) * tickMs, (b.iowaitTicks() - a.iowaitTicks()) * tickMs,
                (b.ioSomeMicros() - a.ioSomeMicros()) / 1000.0 * perSecond,
                (b.ioFullMicros() - a.ioFullMicros()) / 1000.0 * perSecond);
    }

    static Sample read(Instant at) {
        long steal = 0;
        long iowait = 0;
        try {
            // "cpu  user nice system idle iowait irq softirq steal ...": the first line sums the cores.
            String[] cpu = Files.readAllLines(STAT).get(0).trim().split("\\s+");
            iowait = Long.parseLong(cpu[5]);
            steal = cpu.length > 8 ? Long.parseLong(cpu[8]) : 0;
        } catch (IOException | RuntimeException unavailable) {
            // Not Linux: the figures stay 0.
        }
        long[] io = pressure(IO_PRESSURE);
        return new Sample(at, steal, iowait, io[0], io[1]);
    }

    /** The "some" and "full" totals of a pressure file, in microseconds; zeros where it is absent. */
    static long[] pressure(Path file) {
        long[] totals = new long[2];
        try {
            for (String line : Files.readAllLines(file)) {
                int index = line.startsWith("some") ? 0 : line.startsWith("full") ? 1 : -1;
                int total = line.indexOf("total=");
                if (index >= 0 && total >= 0) {
                    totals[index] = Long.parseLong(line.substring(total + "total=".length()).trim());
                }
            }
        } catch (IOException | RuntimeException unavailable) {
            // No pressure stall information (kernels before 4.20, or disabled): zeros.
        }
        return totals;
    }

    @Override
    public void close() {
        samples.close();
    }
}
