package io.hookshard.processing;

import com.codahale.metrics.MetricRegistry;
import com.google.common.util.concurrent.Uninterruptibles;
import io.hookshard.db.Routed;
import io.hookshard.db.WriteVerdict;
import io.hookshard.router.Route;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ShardedWriteTest {
    private final ExecutorService shardWrites = Executors.newCachedThreadPool();
    private final AtomicLong clock = new AtomicLong();
    private final InFlightWrites inFlight = new InFlightWrites(clock::get);
    /** Long enough for a healthy shard's write on a loaded machine, short enough for a test. */
    private static final Duration DEADLINE = Duration.ofSeconds(2);

    @AfterEach
    void stopThePool() {
        shardWrites.shutdownNow();
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void writesEveryShardOfABatchAtOnce() {
        // Each shard's write waits until all three are inside: one after the other, none would ever return.
        CyclicBarrier allInside = new CyclicBarrier(3);
        List<String> threads = Collections.synchronizedList(new ArrayList<>());
        ShardedWrite<String> write = write((shard, items) -> {
            threads.add(Thread.currentThread().getName());
            await(allInside);
            return items.stream().map(item -> WriteVerdict.NEW).toList();
        });
        Outcome[] outcomes = new Outcome[4];

        write.write(List.of(item(0, "shard-a"), item(1, "shard-b"), item(2, "shard-c"), item(3, "shard-a")), outcomes);

        assertThat(outcomes).containsOnly(Outcome.applied());
        assertThat(threads).hasSize(3);
    }

    @Test
    void recordsEachShardsOwnVerdictsAndFailures() {
        ShardedWrite<String> write = write((shard, items) -> {
            if (shard.equals("shard-b")) {
                throw new IllegalStateException("shard-b is down");
            }
            return items.stream().map(item -> WriteVerdict.DUPLICATE).toList();
        });
        Outcome[] outcomes = new Outcome[3];

        write.write(List.of(item(0, "shard-a"), item(1, "shard-b"), item(2, "shard-a")), outcomes);

        assertThat(outcomes[0]).isEqualTo(Outcome.duplicate());
        assertThat(outcomes[2]).isEqualTo(Outcome.duplicate());
        assertThat(outcomes[1].kind()).isEqualTo(Outcome.Kind.TRANSIENT);
        assertThat(outcomes[1].shardId()).isEqualTo("shard-b");
    }

    @Test
    void anErrorOnAnotherShardsThreadReachesTheCaller() {
        ConcurrentHashMap<String, Boolean> written = new ConcurrentHashMap<>();
        ShardedWrite<String> write = write((shard, items) -> {
            if (shard.equals("shard-b")) {
                throw new AssertionError("not an exception a shard's write turns into an outcome");
            }
            written.put(shard, true);
            return items.stream().map(item -> WriteVerdict.NEW).toList();
        });

        assertThatThrownBy(() -> write.write(List.of(item(0, "shard-a"), item(1, "shard-b")), new Outcome[2]))
                .isInstanceOf(AssertionError.class);
        assertThat(written).containsKey("shard-a");
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void namesAShardWhoseWriteHangsWhileItHangsAndWhenItAnswers() throws Exception {
        CountDownLatch hung = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        ShardedWrite<String> write = write((shard, items) -> {
            if (shard.equals("shard-b")) {
                hung.countDown();
                Uninterruptibles.awaitUninterruptibly(answer);
            }
            return items.stream().map(item -> WriteVerdict.NEW).toList();
        });
        Outcome[] outcomes = new Outcome[2];
        Thread consumer = new Thread(() -> write.write(List.of(item(0, "shard-b"), item(1, "shard-b")), outcomes));
        consumer.start();
        try {
            hung.await();

            clock.addAndGet(InFlightWrites.SLOW.toNanos() - 1);
            assertThat(inFlight.slowShards()).isEmpty();
            clock.addAndGet(1);
            assertThat(inFlight.slowShards()).singleElement().asString()
                    .startsWith("shard shard-b has not answered 1 write(s) of 2 event(s) for up to 5.0 s");
        } finally {
            answer.countDown();
        }
        consumer.join();
        assertThat(outcomes).containsOnly(Outcome.applied());
        assertThat(inFlight.slowShards()).isEmpty();
    }

    @Test
    // On a thread of its own: a write that waited for the hung shard would wait uninterruptibly.
    @Timeout(value = 10, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aShardThatLeavesAWriteUnansweredFailsItsEventsTransientlyWhileTheOthersAreWritten() throws Exception {
        CountDownLatch answer = new CountDownLatch(1);
        List<String> calls = Collections.synchronizedList(new ArrayList<>());
        ShardedWrite<String> write = new ShardedWrite<>((shard, items) -> {
            calls.add(shard);
            if (shard.equals("shard-b")) {
                Uninterruptibles.awaitUninterruptibly(answer);
            }
            return items.stream().map(item -> WriteVerdict.NEW).toList();
        }, new MetricRegistry(), "test", shardWrites, inFlight, DEADLINE);
        Outcome[] outcomes = new Outcome[3];
        try {
            write.write(List.of(item(0, "shard-a"), item(1, "shard-b"), item(2, "shard-a")), outcomes);

            assertThat(outcomes[0]).isEqualTo(Outcome.applied());
            assertThat(outcomes[2]).isEqualTo(Outcome.applied());
            assertThat(outcomes[1].kind()).isEqualTo(Outcome.Kind.TRANSIENT);
            assertThat(outcomes[1].shardId()).isEqualTo("shard-b");
            assertThat(outcomes[1].detail()).contains("shard shard-b has not answered a write");

            // Its write is still under way: the next batch's events for it fail at once, without a second wait.
            clock.addAndGet(DEADLINE.toNanos());
            Outcome[] next = new Outcome[2];
            write.write(List.of(item(0, "shard-b"), item(1, "shard-a")), next);
            assertThat(next[0].kind()).isEqualTo(Outcome.Kind.TRANSIENT);
            assertThat(next[1]).isEqualTo(Outcome.applied());
            assertThat(calls).containsExactlyInAnyOrder("shard-a", "shard-b", "shard-a");
        } finally {
            // The hung write waits uninterruptibly: a failed assertion must not leave it blocked.
            answer.countDown();
        }
        // Once it answers, it is written to again; the late answer changed nothing already decided.
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !inFlight.unanswered("shard-b", Duration.ZERO));
        assertThat(outcomes[1].kind()).isEqualTo(Outcome.Kind.TRANSIENT);
        Outcome[] after = new Outcome[1];
        write.write(List.of(item(0, "shard-b")), after);
        assertThat(after[0]).isEqualTo(Outcome.applied());
    }

    @Test
    void writesOnTheCallersThreadOnceThePoolIsStopped() {
        List<String> threads = Collections.synchronizedList(new ArrayList<>());
        ShardedWrite<String> write = write((shard, items) -> {
            threads.add(Thread.currentThread().getName());
            return items.stream().map(item -> WriteVerdict.NEW).toList();
        });
        shardWrites.shutdown();
        Outcome[] outcomes = new Outcome[2];

        write.write(List.of(item(0, "shard-a"), item(1, "shard-b")), outcomes);

        assertThat(outcomes).containsOnly(Outcome.applied());
        assertThat(threads).containsOnly(Thread.currentThread().getName()).hasSize(2);
    }

    private ShardedWrite<String> write(BiFunction<String, List<Routed<String>>, List<WriteVerdict>> writer) {
        return new ShardedWrite<>(writer, new MetricRegistry(), "test", shardWrites, inFlight);
    }

    private static Indexed<Routed<String>> item(int index, String shard) {
        return new Indexed<>(index, new Routed<>("event-" + index, new Route("user-" + index, index, shard)));
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the shards' writes did not overlap", e);
        }
    }
}
