package io.hookshard.processing;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * What to log of a shard's transient write failures. While a shard is down every batch routed to it fails, and a
 * line per failure buried the log (7,654 WARN lines in 90 s of one shard's outage under 150 webhooks a second): the
 * first failure is logged, then one line per interval sums up the failures since, and the first write that succeeds
 * again says how long the shard failed. Attempts refused at once while a write to the shard hangs unanswered count as
 * failed attempts too: they turned its events back just the same.
 */
final class ShardFailureLog {
    static final Duration INTERVAL = Duration.ofSeconds(10);

    private final LongSupplier nanoTime;
    private final Map<String, Outage> outages = new ConcurrentHashMap<>();

    ShardFailureLog(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** A write of {@code events} failed transiently on {@code shard}: the WARN line to log now, if any. */
    Optional<String> failed(String shard, int events, RuntimeException failure) {
        long now = nanoTime.getAsLong();
        Outage outage = outages.computeIfAbsent(shard, ignored -> new Outage(now));
        synchronized (outage) {
            if (outage.failures == 0) {
                outage.count(events);
                outage.loggedAt = now;
                return Optional.of("shard " + shard + " failed for " + events + " event(s), will retry: " + failure
                        + "; its further failures are summed up every " + INTERVAL.toSeconds() + " s until it writes"
                        + " again");
            }
            outage.count(events);
            if (now - outage.loggedAt < INTERVAL.toNanos()) {
                return Optional.empty();
            }
            String line = "shard " + shard + " still failing for " + seconds(now - outage.since) + " s: "
                    + outage.unlogged + " failed attempt(s) to write " + outage.unloggedEvents
                    + " event(s) in the last " + seconds(now - outage.loggedAt) + " s, all to be retried; the last: "
                    + failure;
            outage.loggedAt = now;
            outage.unlogged = 0;
            outage.unloggedEvents = 0;
            return Optional.of(line);
        }
    }

    /** A write succeeded on {@code shard}: the INFO line to log if it had been failing. */
    Optional<String> wrote(String shard) {
        if (outages.isEmpty()) {
            return Optional.empty();
        }
        Outage outage = outages.remove(shard);
        if (outage == null) {
            return Optional.empty();
        }
        synchronized (outage) {
            return Optional.of("shard " + shard + " writes again after failing for "
                    + seconds(nanoTime.getAsLong() - outage.since) + " s (" + outage.failures + " failed attempt(s),"
                    + " retried)");
        }
    }

    private static long seconds(long nanos) {
        return Duration.ofNanos(nanos).toSeconds();
    }

    private static final class Outage {
        private final long since;
        private long loggedAt;
        private long failures;
        private long unlogged;
        private long unloggedEvents;

        private Outage(long since) {
            this.since = since;
        }

        private void count(int events) {
            if (failures > 0) {
                unlogged++;
                unloggedEvents += events;
            }
            failures++;
        }
    }
}
