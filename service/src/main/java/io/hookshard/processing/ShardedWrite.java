package io.hookshard.processing;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import com.google.common.util.concurrent.Uninterruptibles;
import io.hookshard.db.Routed;
import io.hookshard.db.WriteVerdict;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiFunction;

/**
 * Writes a batch grouped by shard, one transaction per shard, and records an outcome per item. A shard that fails
 * transiently fails only its own items; a permanent failure is isolated by writing that shard's items one by one.
 * The shards' transactions of one batch run at once: each waits mostly on its own shard (round trips, the commit's
 * flush), so a batch takes as long as its slowest shard rather than the sum of them.
 */
final class ShardedWrite<T> {
    private static final Logger LOG = LoggerFactory.getLogger(ShardedWrite.class);

    private final BiFunction<String, List<Routed<T>>, List<WriteVerdict>> writer;
    private final MetricRegistry metrics;
    private final String purpose;
    private final ExecutorService shardWrites;
    private final InFlightWrites inFlight;
    private final ShardFailureLog failureLog = new ShardFailureLog(System::nanoTime);

    /**
     * @param writer  writes items to a shard and returns each one's verdict, in input order
     * @param purpose     names the metrics: {@code hookshard.shards.<shard>.<purpose>.batch-size} and {@code .write}
     * @param shardWrites runs every shard's transaction but the first, which the calling thread runs
     * @param inFlight    the writes under way, watched for a shard that hangs
     */
    ShardedWrite(BiFunction<String, List<Routed<T>>, List<WriteVerdict>> writer, MetricRegistry metrics,
                 String purpose, ExecutorService shardWrites, InFlightWrites inFlight) {
        this.writer = writer;
        this.metrics = metrics;
        this.purpose = purpose;
        this.shardWrites = shardWrites;
        this.inFlight = inFlight;
    }

    void write(List<Indexed<Routed<T>>> items, Outcome[] outcomes) {
        Map<String, List<Indexed<Routed<T>>>> byShard = new LinkedHashMap<>();
        for (Indexed<Routed<T>> item : items) {
            byShard.computeIfAbsent(item.item().shardId(), shard -> new ArrayList<>()).add(item);
        }
        List<Future<?>> others = new ArrayList<>();
        String first = null;
        for (Map.Entry<String, List<Indexed<Routed<T>>>> entry : byShard.entrySet()) {
            if (first == null) {
                first = entry.getKey();
            } else {
                try {
                    // Each group fills only its own items' outcomes.
                    others.add(shardWrites.submit(() -> writeGroup(entry.getKey(), entry.getValue(), outcomes)));
                } catch (RejectedExecutionException stopping) {
                    writeGroup(entry.getKey(), entry.getValue(), outcomes);
                }
            }
        }
        if (first != null) {
            writeGroup(first, byShard.get(first), outcomes);
        }
        for (Future<?> other : others) {
            // Uninterruptibly: the records are committed by their outcomes, so every shard's outcome must be known
            // before this returns; a transaction ends within the shard's socket timeout.
            try {
                Uninterruptibles.getUninterruptibly(other);
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

    private void writeGroup(String shard, List<Indexed<Routed<T>>> group, Outcome[] outcomes) {
        metrics.histogram(MetricRegistry.name("hookshard.shards", shard, purpose, "batch-size")).update(group.size());
        InFlightWrites.Write underWay = inFlight.begin(shard, purpose, group.size());
        try (Timer.Context ignored = metrics.timer(MetricRegistry.name("hookshard.shards", shard, purpose, "write"))
                .time()) {
            List<WriteVerdict> verdicts;
            try {
                verdicts = writer.apply(shard, group.stream().map(Indexed::item).toList());
            } finally {
                inFlight.end(underWay).ifPresent(LOG::info);
            }
            for (int i = 0; i < group.size(); i++) {
                outcomes[group.get(i).index()] = outcomeOf(verdicts.get(i), shard);
            }
            failureLog.wrote(shard).ifPresent(LOG::info);
        } catch (RuntimeException e) {
            if (!Failures.isPermanent(e) || group.size() == 1) {
                fail(shard, group, e, outcomes);
                return;
            }
            LOG.warn("batch of {} on shard {} failed permanently ({}); retrying one by one to isolate the bad event",
                    group.size(), shard, Failures.sqlState(e));
            for (Indexed<Routed<T>> item : group) {
                writeGroup(shard, List.of(item), outcomes);
            }
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

    private <I> void fail(String shard, List<Indexed<I>> group, RuntimeException e, Outcome[] outcomes) {
        boolean permanent = Failures.isPermanent(e);
        if (!permanent) {
            failureLog.failed(shard, group.size(), e).ifPresent(LOG::warn);
        }
        for (Indexed<I> item : group) {
            outcomes[item.index()] = permanent
                    ? Outcome.permanent("constraint_violation", "shard " + shard + " refused the event (SQLSTATE "
                    + Failures.sqlState(e) + "): " + rootMessage(e))
                    : Outcome.transientFailure(shard, e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage();
    }
}
