package io.hookshard.devstack;

import java.time.Duration;

/**
 * When to start a shard again that keeps dying: 1 s after its first exit, then 2 s, 4 s ... at most 30 s after each
 * further one in a row, so that a shard which cannot come up (a full disk, a broken data directory) costs a log line
 * every 30 s, not a busy loop. A shard that stayed up a minute starts over at 1 s.
 */
final class RestartBackoff {
    static final Duration FIRST = Duration.ofSeconds(1);
    static final Duration MAX = Duration.ofSeconds(30);
    static final Duration STABLE = Duration.ofMinutes(1);

    private int attempts;
    private long upSince;
    private boolean up;

    /** The shard exited, or an attempt to start it failed: the wait before the next attempt. */
    Duration next() {
        up = false;
        attempts++;
        Duration wait = FIRST.multipliedBy(1L << Math.min(attempts - 1, 5));
        return wait.compareTo(MAX) > 0 ? MAX : wait;
    }

    /** The number of the attempt {@link #next()} last planned, from 1. */
    int attempt() {
        return attempts;
    }

    /** The shard is up again, or still up, at {@code nowNanos} ({@link System#nanoTime()}). */
    void running(long nowNanos) {
        if (!up) {
            up = true;
            upSince = nowNanos;
        } else if (attempts > 0 && nowNanos - upSince >= STABLE.toNanos()) {
            attempts = 0;
        }
    }
}
