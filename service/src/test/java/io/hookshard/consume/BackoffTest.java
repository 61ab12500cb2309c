package io.hookshard.consume;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class BackoffTest {
    private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10));

    @Test
    void growsExponentiallyWithJitterUpToTheCap() {
        IntStream.range(0, 200).forEach(i -> {
            assertThat(backoff.delay(0)).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
            assertThat(backoff.delay(3)).isBetween(Duration.ofMillis(400), Duration.ofMillis(800));
            assertThat(backoff.delay(60)).isBetween(Duration.ofSeconds(5), Duration.ofSeconds(10));
        });
    }

    @Test
    void jittersSoThatWorkersDoNotRetryInStep() {
        assertThat(IntStream.range(0, 50).mapToObj(i -> backoff.delay(5)).distinct().count()).isGreaterThan(10);
    }
}
