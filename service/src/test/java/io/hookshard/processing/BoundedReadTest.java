package io.hookshard.processing;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BoundedReadTest {
    /** Long enough for a healthy read on a loaded machine, short enough for a test. */
    private static final Duration DEADLINE = Duration.ofSeconds(2);
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final AtomicLong clock = new AtomicLong();
    private final InFlightWrites inFlight = new InFlightWrites(clock::get);
    private final BoundedRead reads = new BoundedRead(pool, inFlight, DEADLINE);

    @AfterEach
    void stopThePool() {
        pool.shutdownNow();
    }

    /** For reads that answer at once: a deadline no loaded machine could miss. */
    private final BoundedRead patient = new BoundedRead(pool, inFlight, Duration.ofMinutes(1));

    @Test
    void givesTheShardsAnswer() {
        assertThat(patient.read("shard-a", "lookups", 2, () -> "owners")).isEqualTo("owners");
        assertThat(inFlight.unanswered("shard-a", Duration.ZERO)).isFalse();
    }

    @Test
    void throwsTheReadsOwnFailure() {
        IllegalStateException down = new IllegalStateException("shard-a refused the connection");

        assertThatThrownBy(() -> patient.read("shard-a", "lookups", 1, () -> {
            throw down;
        })).isSameAs(down);
        assertThat(inFlight.unanswered("shard-a", Duration.ZERO)).isFalse();
    }

    @Test
    // On a thread of its own: the wait is uninterruptible, so without the deadline only this ends the test.
    @Timeout(value = 10, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aShardThatDoesNotAnswerFailsAtTheDeadlineAndItsNextReadsFailAtOnce() {
        CountDownLatch hung = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        try {
            long started = System.nanoTime();
            assertThatThrownBy(() -> reads.read("shard-b", "order directory lookups", 3, () -> {
                calls.incrementAndGet();
                awaitUninterruptibly(hung);
                return "late";
            })).hasMessage("shard shard-b has not answered its order directory lookups within 2 s");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(DEADLINE);
            assertThat(inFlight.unanswered("shard-b", Duration.ZERO)).isTrue();

            clock.addAndGet(DEADLINE.toNanos());

            assertThatThrownBy(() -> reads.read("shard-b", "order directory lookups", 1, () -> {
                calls.incrementAndGet();
                return "never asked";
            })).hasMessageContaining("shard shard-b has left a write or read unanswered for 2 s or more");
            assertThat(calls).hasValue(1);
            assertThat(patient.read("shard-a", "order directory lookups", 1, () -> "other shards answer"))
                    .isEqualTo("other shards answer");
        } finally {
            hung.countDown();
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        com.google.common.util.concurrent.Uninterruptibles.awaitUninterruptibly(latch);
    }
}
