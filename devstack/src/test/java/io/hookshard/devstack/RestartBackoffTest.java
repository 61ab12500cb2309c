package io.hookshard.devstack;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class RestartBackoffTest {
    private static final long SECOND = Duration.ofSeconds(1).toNanos();

    @Test
    void aShardThatKeepsDyingWaitsTwiceAsLongEachTimeUpToThirtySeconds() {
        RestartBackoff backoff = new RestartBackoff();

        List<Long> waits = Stream.generate(backoff::next).limit(8).map(Duration::toSeconds).toList();

        assertThat(waits).containsExactly(1L, 2L, 4L, 8L, 16L, 30L, 30L, 30L);
        assertThat(backoff.attempt()).isEqualTo(8);
    }

    @Test
    void aShardDyingSoonAfterARestartCarriesOn() {
        RestartBackoff backoff = new RestartBackoff();
        backoff.next();
        backoff.next();

        backoff.running(0);
        backoff.running(59 * SECOND);

        assertThat(backoff.next()).isEqualTo(Duration.ofSeconds(4));
    }

    @Test
    void aShardThatStayedUpAMinuteStartsOverAtOneSecond() {
        RestartBackoff backoff = new RestartBackoff();
        backoff.next();
        backoff.next();

        backoff.running(100 * SECOND);
        backoff.running(160 * SECOND);

        assertThat(backoff.next()).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.attempt()).isEqualTo(1);
    }
}
