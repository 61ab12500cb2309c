package io.hookshard.processing;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ShardFailureLogTest {
    private final RuntimeException refused = new IllegalStateException("Connection to 127.0.0.1:54321 refused");
    private long now;
    private final ShardFailureLog log = new ShardFailureLog(() -> now);

    @Test
    void aShardDownForAMinuteIsLoggedOncePerIntervalNotOncePerFailedWrite() {
        List<String> lines = new ArrayList<>();
        for (int write = 0; write < 6_000; write++) {
            log.failed("shard-a", 1, refused).ifPresent(lines::add);
            now += Duration.ofMillis(10).toNanos();
        }
        log.wrote("shard-a").ifPresent(lines::add);

        // 60 s of failures: the first, one summary per 10 s, and the recovery.
        assertThat(lines).hasSize(1 + 5 + 1);
        assertThat(lines.get(0)).startsWith("shard shard-a failed for 1 event(s), will retry").contains("refused");
        assertThat(lines.get(1)).startsWith("shard shard-a still failing for 10 s: 1000 failed attempt(s) to write 1000"
                + " event(s) in the last 10 s");
        assertThat(lines.get(6)).isEqualTo("shard shard-a writes again after failing for 60 s (6000 failed attempt(s),"
                + " retried)");
    }

    @Test
    void eachShardIsCountedOnItsOwnAndAWriteWithoutAFailureBeforeLogsNothing() {
        assertThat(log.wrote("shard-a")).isEmpty();
        assertThat(log.failed("shard-a", 3, refused)).isPresent();
        assertThat(log.failed("shard-b", 2, refused)).isPresent();
        assertThat(log.failed("shard-a", 3, refused)).isEmpty();

        assertThat(log.wrote("shard-b")).hasValueSatisfying(line -> assertThat(line).contains("shard-b")
                .contains("(1 failed attempt(s)"));
        assertThat(log.wrote("shard-b")).isEmpty();
        assertThat(log.failed("shard-b", 2, refused)).isPresent();
        assertThat(log.failed("shard-a", 3, refused)).isEqualTo(Optional.empty());
    }
}
