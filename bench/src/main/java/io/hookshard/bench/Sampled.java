package io.hookshard.bench;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Readings of the machine taken every {@code periodMs} on a daemon thread of the benchmark's own JVM, and, for each
 * second of a window, the two readings around it: the last at or before its start and the first at or after its end.
 * A sampler held up (the machine stalled) leaves no reading inside a second; the span around it then covers it,
 * rather than showing nothing there.
 */
final class Sampled<S> implements AutoCloseable {
    /** The readings around one second, {@code seconds} apart. */
    record Span<S>(S start, S end, double seconds) {
    }

    private final long periodMs;
    private final int keep;
    private final Supplier<S> reading;
    private final TreeMap<Instant, S> samples = new TreeMap<>();
    private final Thread sampler;

    /** @param keep the most readings held: the oldest go first */
    Sampled(String name, long periodMs, int keep, Supplier<S> reading) {
        this.periodMs = periodMs;
        this.keep = keep;
        this.reading = reading;
        sampler = new Thread(this::sample, name);
        sampler.setDaemon(true);
        sampler.start();
    }

    private void sample() {
        while (!Thread.currentThread().isInterrupted()) {
            Instant at = Instant.now();
            S now = reading.get();
            synchronized (samples) {
                samples.put(at, now);
                while (samples.size() > keep) {
                    samples.pollFirstEntry();
                }
            }
            try {
                Thread.sleep(periodMs);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Each whole second from {@code from}: the readings around it; empty where there are none, or only one. */
    List<Optional<Span<S>>> bySecond(Instant from, int seconds) {
        List<Optional<Span<S>>> result = new ArrayList<>();
        synchronized (samples) {
            for (int s = 0; s < seconds; s++) {
                Map.Entry<Instant, S> start = samples.floorEntry(from.plusSeconds(s));
                Map.Entry<Instant, S> end = samples.ceilingEntry(from.plusSeconds(s + 1));
                if (end == null) {
                    end = samples.lastEntry();
                }
                result.add(start == null || end == null || !end.getKey().isAfter(start.getKey()) ? Optional.empty()
                        : Optional.of(new Span<>(start.getValue(), end.getValue(),
                        (end.getKey().toEpochMilli() - start.getKey().toEpochMilli()) / 1000.0)));
            }
        }
        return result;
    }

    @Override
    public void close() {
        sampler.interrupt();
    }
}
