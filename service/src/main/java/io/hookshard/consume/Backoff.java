package io.hookshard.consume;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with jitter, capped: attempt 0 waits about min, each later one up to twice as long. */
public record Backoff(Duration min, Duration max) {
    public Duration delay(int attempt) {
        long cap = max.toMillis();
        long base = Math.min(cap, min.toMillis() << Math.min(attempt, 30));
        // Half fixed, half random: workers that failed together do not retry together.
        long half = Math.max(base / 2, 1);
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(half + 1));
    }
}
