package io.hookshard.processing;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The shards' writes under way: so that a shard that stops answering is said in the log while it hangs, and so that
 * {@link ShardedWrite} fails at once the writes to a shard that has left one unanswered. A shard that refuses
 * connections fails its writes at once and {@link ShardFailureLog} says so; one that hangs (a stalled disk, a stopped
 * process) keeps each write waiting until the connection's socket timeout, a minute by default. A watcher names each
 * shard with a write older than {@link #SLOW}, again every {@link #REPEAT} while it lasts: how many writes, how many
 * events, how long the oldest has waited; each reported write that returns says after how long.
 */
public final class InFlightWrites {
    static final Duration SLOW = Duration.ofSeconds(5);
    /** How often a shard that still hangs is named again. */
    static final Duration REPEAT = Duration.ofSeconds(10);
    private static final Duration CHECK = Duration.ofSeconds(1);
    private static final Logger LOG = LoggerFactory.getLogger(InFlightWrites.class);

    private final LongSupplier nanoTime;
    // Guarded by this: every access is in a synchronized method.
    private final Set<Write> writes = new HashSet<>();
    private final Map<String, Long> reportedAt = new HashMap<>();

    /** One write of {@code events} to {@code shard}, under way since {@code startedNanos}. */
    static final class Write {
        private final String shard;
        private final String purpose;
        private final int events;
        private final long startedNanos;
        private boolean reported;

        private Write(String shard, String purpose, int events, long startedNanos) {
            this.shard = shard;
            this.purpose = purpose;
            this.events = events;
            this.startedNanos = startedNanos;
        }
    }

    public InFlightWrites() {
        this(System::nanoTime);
    }

    InFlightWrites(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** Checks every second on {@code scheduler}, which its owner stops. */
    public void watch(ScheduledExecutorService scheduler) {
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                slowShards().forEach(LOG::warn);
            } catch (RuntimeException e) {
                // A fixed-delay task that throws is never run again.
                LOG.warn("could not check the shards' writes under way: {}", e.toString());
            }
        }, CHECK.toMillis(), CHECK.toMillis(), TimeUnit.MILLISECONDS);
    }

    // begin, end and slowShards under one lock: a write's reported flag and its shard's last report change together.
    synchronized Write begin(String shard, String purpose, int events) {
        Write write = new Write(shard, purpose, events, nanoTime.getAsLong());
        writes.add(write);
        return write;
    }

    /** Whether a write to {@code shard} has been under way for {@code after} or longer. */
    synchronized boolean unanswered(String shard, Duration after) {
        long now = nanoTime.getAsLong();
        return writes.stream()
                .anyMatch(write -> write.shard.equals(shard) && now - write.startedNanos >= after.toNanos());
    }

    /**
     * Runs {@code work} registered as under way to {@code shard} for as long as it takes; if its wait was reported,
     * says at INFO when it returns.
     */
    <R> R tracked(String shard, String purpose, int events, Supplier<R> work) {
        Write write = begin(shard, purpose, events);
        try {
            return work.get();
        } finally {
            end(write).ifPresent(LOG::info);
        }
    }

    /** The write has returned, written or failed: the INFO line to log if its wait was reported. */
    synchronized Optional<String> end(Write write) {
        writes.remove(write);
        if (!write.reported) {
            return Optional.empty();
        }
        boolean othersReported = writes.stream().anyMatch(w -> w.shard.equals(write.shard) && w.reported);
        if (!othersReported) {
            reportedAt.remove(write.shard);
        }
        return Optional.of("shard " + write.shard + " answered a write of " + write.events + " event(s) ("
                + write.purpose + ") after " + seconds(nanoTime.getAsLong() - write.startedNanos) + " s");
    }

    /**
     * A WARN line for each shard with a write under way for {@link #SLOW} or longer, at most one per {@link #REPEAT}.
     */
    synchronized List<String> slowShards() {
        long now = nanoTime.getAsLong();
        Map<String, List<Write>> slow = new TreeMap<>();
        for (Write write : writes) {
            if (now - write.startedNanos >= SLOW.toNanos()) {
                slow.computeIfAbsent(write.shard, shard -> new ArrayList<>()).add(write);
            }
        }
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, List<Write>> shard : slow.entrySet()) {
            Long last = reportedAt.get(shard.getKey());
            if (last != null && now - last < REPEAT.toNanos()) {
                continue;
            }
            reportedAt.put(shard.getKey(), now);
            List<Write> waiting = shard.getValue();
            waiting.forEach(write -> write.reported = true);
            long oldest = waiting.stream().mapToLong(write -> now - write.startedNanos).max().orElse(0);
            int events = waiting.stream().mapToInt(write -> write.events).sum();
            lines.add("shard " + shard.getKey() + " has not answered " + waiting.size() + " write(s) of " + events
                    + " event(s) for up to " + seconds(oldest) + " s: " + ShardedWrite.ANSWER_DEADLINE.toSeconds()
                    + " s into a write its events are retried as a down shard's are, the other shards' events"
                    + " flow, and its writes fail at once until it answers; check that shard's server, its disk and"
                    + " its connections");
        }
        return lines;
    }

    private static String seconds(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.1f", nanos / 1e9);
    }
}
