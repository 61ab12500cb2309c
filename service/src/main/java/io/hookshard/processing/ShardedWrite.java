package io.hookshard.processing;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import com.google.common.util.concurrent.Uninterruptibles;
import io.hookshard.db.Routed;
import io.hookshard.db.WriteVerdict;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;

/**
 * Writes a batch grouped by shard, one transaction per shard, and records an outcome per item. A shard that fails
 * transiently fails only its own items; a permanent failure is isolated by writing that shard's items one by one.
 * The shards' transactions of one batch run at once, each on a thread of its own: each waits mostly on its own shard
 * (round trips, the commit's flush), so a batch takes as long as its slowest shard rather than the sum of them.
 *
 * <p>A shard that hangs instead of failing (a stalled disk, a stopped server) would hold the batch, and the other
 * shards' events in it, until the connection's socket timeout. So a shard's write is waited for at most
 * {@link #ANSWER_DEADLINE}: past it, its items fail transiently and are retried like those of a shard that is down,
 * and until that write returns, the shard's further writes fail at once, without waiting on it again. The unanswered
 * transaction may still commit once the shard answers; the retry then finds its events admitted (the inbox) and applies
 * nothing twice.
 */
final class ShardedWrite<T> {
    /** Far beyond a batch's write (tens to hundreds of milliseconds), far below a minute's socket timeout. */
    static final Duration ANSWER_DEADLINE = Duration.ofSeconds(10);
    private static final Logger LOG = LoggerFactory.getLogger(ShardedWrite.class);

    private final BiFunction<String, List<Routed<T>>, List<WriteVerdict>> writer;
    private final MetricRegistry metrics;
    private final String purpose;
    private final ExecutorService shardWrites;
    private final InFlightWrites inFlight;
    private final Duration deadline;
    private final ShardFailureLog failureLog = new ShardFailureLog(System::nanoTime);

    /**
     * @param writer      writes items to a shard and returns each one's verdict, in input order
     * @param purpose     names the metrics: {@code hookshard.shards.<shard>.<purpose>.batch-size} and {@code .write}
     * @param shardWrites runs every shard's transaction
     * @param inFlight    the writes under way, watched for a shard that hangs
     */
    ShardedWrite(BiFunction<String, List<Routed<T>>, List<WriteVerdict>> writer, MetricRegistry metrics,
                 String purpose, ExecutorService shardWrites, InFlightWrites inFlight) {
        this(writer, metrics, purpose, shardWrites, inFlight, ANSWER_DEADLINE);
    }

    ShardedWrite(BiFunction<String, List<Routed<T>>, List<WriteVerdict>> writer, MetricRegistry metrics,
                 String purpose, ExecutorService shardWrites, InFlightWrites inFlight, Duration deadline) {
        this.writer = writer;
        this.metrics = metrics;
        this.purpose = purpose;
        this.shardWrites = shardWrites;
        this.inFlight = inFlight;
        this.deadline = deadline;
    }

    void write(List<Indexed<Routed<T>>> items, Outcome[] outcomes) {
        Map<String, List<Indexed<Routed<T>>>> byShard = new LinkedHashMap<>();
        for (Indexed<Routed<T>> item : items) {
            byShard.computeIfAbsent(item.item().shardId(), shard -> new ArrayList<>()).add(item);
        }
        // Each group's outcomes come back in an array of its own: a write abandoned at the deadline may still return
        // later, and must then change nothing this caller has decided.
        Map<String, Future<Outcome[]>> pending = new LinkedHashMap<>();
        for (Map.Entry<String, List<Indexed<Routed<T>>>> entry : byShard.entrySet()) {
            try {
                pending.put(entry.getKey(), shardWrites.submit(() -> writeGroup(entry.getKey(), entry.getValue())));
            } catch (RejectedExecutionException stopping) {
                fill(entry.getValue(), writeGroup(entry.getKey(), entry.getValue()), outcomes);
            }
        }
        long deadlineAt = System.nanoTime() + deadline.toNanos();
        for (Map.Entry<String, Future<Outcome[]>> shard : pending.entrySet()) {
            List<Indexed<Routed<T>>> group = byShard.get(shard.getKey());
            // Uninterruptibly: the records are committed by their outcomes, so every shard's outcome must be known
            // before this returns.
            try {
                fill(group, Uninterruptibles.getUninterruptibly(shard.getValue(),
                        Math.max(0, deadlineAt - System.nanoTime()), TimeUnit.NANOSECONDS), outcomes);
            } catch (TimeoutException e) {
                fill(group, fail(shard.getKey(), group, new IllegalStateException("shard " + shard.getKey()
                        + " has not answered a write within " + deadline.toSeconds() + " s")), outcomes);
            } catch (ExecutionException e) {
                // writeGroup turns every RuntimeException into outcomes: what reaches here is an Error, thrown on
                // as the consumer's own thread would have thrown it.
                if (e.getCause() instanceof Error error) {
                    throw error;
                }
                throw new IllegalStateException("a shard's write failed unexpectedly", e.getCause());
            }
        }
    }

    private static <I> void fill(List<Indexed<I>> group, Outcome[] groupOutcomes, Outcome[] outcomes) {
        for (int i = 0; i < group.size(); i++) {
            outcomes[group.get(i).index()] = groupOutcomes[i];
        }
    }

    /** The outcomes of {@code group}'s items, in its order. */
    private Outcome[] writeGroup(String shard, List<Indexed<Routed<T>>> group) {
        if (inFlight.unanswered(shard, deadline)) {
            // Waiting on it again would hold this batch as long again: its events wait like a down shard's.
            return fail(shard, group, new IllegalStateException("shard " + shard + " has left a write unanswered"
                    + " for " + deadline.toSeconds() + " s or more; its events wait until it answers"));
        }
        metrics.histogram(MetricRegistry.name("hookshard.shards", shard, purpose, "batch-size")).update(group.size());
        // Registered for as long as the whole group takes, its one-by-one isolation included, so that a group still
        // being written after the deadline keeps its shard's further writes from overlapping it.
        return inFlight.tracked(shard, purpose, group.size(), () -> attempt(shard, group));
    }

    private Outcome[] attempt(String shard, List<Indexed<Routed<T>>> group) {
        try (Timer.Context ignored = metrics.timer(MetricRegistry.name("hookshard.shards", shard, purpose, "write"))
                .time()) {
            List<WriteVerdict> verdicts = writer.apply(shard, group.stream().map(Indexed::item).toList());
            Outcome[] outcomes = new Outcome[group.size()];
            for (int i = 0; i < group.size(); i++) {
                outcomes[i] = outcomeOf(verdicts.get(i), shard);
            }
            failureLog.wrote(shard).ifPresent(LOG::info);
            return outcomes;
        } catch (RuntimeException e) {
            if (!Failures.isPermanent(e) || group.size() == 1) {
                return fail(shard, group, e);
            }
            LOG.warn("batch of {} on shard {} failed permanently ({}); retrying one by one to isolate the bad event",
                    group.size(), shard, Failures.sqlState(e));
            Outcome[] outcomes = new Outcome[group.size()];
            for (int i = 0; i < group.size(); i++) {
                outcomes[i] = attempt(shard, List.of(group.get(i)))[0];
            }
            return outcomes;
        }
    }

    private static Outcome outcomeOf(WriteVerdict verdict, String shard) {
        return switch (verdict) {
            case NEW -> Outcome.applied();
            case DUPLICATE -> Outcome.duplicate();
            case CONFLICTING -> Outcome.permanent(Outcome.CONFLICTING_REDELIVERY, "shard " + shard + " admitted this"
                    + " provider event id before with other content; this copy is not applied");
            case ORDER_MISSING -> Outcome.notYet(DisputeSink.ORDER_NOT_FOUND, "the order is not stored on its owner's"
                    + " shard " + shard + " yet");
            case NOT_OWNED -> Outcome.notOwned(shard);
        };
    }

    private <I> Outcome[] fail(String shard, List<Indexed<I>> group, RuntimeException e) {
        boolean permanent = Failures.isPermanent(e);
        if (!permanent) {
            failureLog.failed(shard, group.size(), e).ifPresent(LOG::warn);
        }
        Outcome[] outcomes = new Outcome[group.size()];
        for (int i = 0; i < group.size(); i++) {
            outcomes[i] = permanent
                    ? Outcome.permanent("constraint_violation", "shard " + shard + " refused the event (SQLSTATE "
                    + Failures.sqlState(e) + "): " + rootMessage(e))
                    : Outcome.transientFailure(shard, e);
        }
        return outcomes;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage();
    }
}
