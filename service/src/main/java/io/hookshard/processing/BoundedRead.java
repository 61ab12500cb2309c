package io.hookshard.processing;

import com.google.common.util.concurrent.Uninterruptibles;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * A read from one shard on a consumer's path (a chargeback's lookup of its order in the directory), held to the same
 * deadline as the shards' writes ({@link ShardedWrite}): a shard that hangs instead of failing would otherwise hold
 * the consumer, and every other event of its batch, until the connection's socket timeout. The read runs on the
 * shards' pool and is registered with the writes under way, so that the watcher names a shard whose read hangs; past
 * the deadline it fails like a down shard (its events wait and are retried), and while anything to that shard is
 * unanswered that long, further reads fail at once, and so do its writes: a shard that leaves a read unanswered for
 * 10 s is taken for hung. While the service stops (the pool refuses tasks), the read runs on the caller's thread
 * without a deadline, as a write does.
 */
final class BoundedRead {
    private final ExecutorService pool;
    private final InFlightWrites inFlight;
    private final Duration deadline;

    BoundedRead(ExecutorService pool, InFlightWrites inFlight, Duration deadline) {
        this.pool = pool;
        this.inFlight = inFlight;
        this.deadline = deadline;
    }

    /** {@code read}'s answer from {@code shard}; a shard that does not answer within the deadline is a failure. */
    <R> R read(String shard, String purpose, int items, Supplier<R> read) {
        if (inFlight.unanswered(shard, deadline)) {
            throw new IllegalStateException("shard " + shard + " has left a write or read unanswered for "
                    + deadline.toSeconds() + " s or more; its " + purpose + " wait until it answers");
        }
        // Registered by the task itself, as a write is: whatever keeps a task from running cannot leave an entry
        // behind that would fail the shard's writes and reads until a restart.
        Supplier<R> registered = () -> inFlight.tracked(shard, purpose, items, read);
        Future<R> answer;
        try {
            answer = pool.submit(registered::get);
        } catch (RejectedExecutionException stopping) {
            return registered.get();
        }
        try {
            return Uninterruptibles.getUninterruptibly(answer, deadline.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("shard " + shard + " has not answered its " + purpose + " within "
                    + deadline.toSeconds() + " s");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException("shard " + shard + "'s " + purpose + " failed", e.getCause());
        }
    }
}
