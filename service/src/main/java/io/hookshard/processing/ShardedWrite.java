package io.hookshard.processing;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Writes a batch grouped by shard, one transaction per shard, and records an outcome per item. A shard that fails
 * transiently fails only its own items; a permanent failure is isolated by writing that shard's items one by one.
 */
final class ShardedWrite<T> {
    private static final Logger LOG = LoggerFactory.getLogger(ShardedWrite.class);

    private final Function<T, String> shardOf;
    private final Function<T, String> idOf;
    private final BiFunction<String, List<T>, Set<String>> writer;
    private final MetricRegistry metrics;
    private final String purpose;

    /**
     * @param writer  writes items to a shard and returns the ids (per {@code idOf}) that were new there
     * @param purpose names the metrics: {@code hookshard.shards.<shard>.<purpose>.batch-size} and {@code .write}
     */
    ShardedWrite(Function<T, String> shardOf, Function<T, String> idOf, BiFunction<String, List<T>, Set<String>> writer,
                 MetricRegistry metrics, String purpose) {
        this.shardOf = shardOf;
        this.idOf = idOf;
        this.writer = writer;
        this.metrics = metrics;
        this.purpose = purpose;
    }

    void write(List<Indexed<T>> items, Outcome[] outcomes) {
        Map<String, List<Indexed<T>>> byShard = new LinkedHashMap<>();
        for (Indexed<T> item : items) {
            byShard.computeIfAbsent(shardOf.apply(item.item()), shard -> new ArrayList<>()).add(item);
        }
        byShard.forEach((shard, group) -> writeGroup(shard, group, outcomes));
    }

    private void writeGroup(String shard, List<Indexed<T>> group, Outcome[] outcomes) {
        metrics.histogram(MetricRegistry.name("hookshard.shards", shard, purpose, "batch-size")).update(group.size());
        try (Timer.Context ignored = metrics.timer(MetricRegistry.name("hookshard.shards", shard, purpose, "write"))
                .time()) {
            Set<String> fresh = writer.apply(shard, group.stream().map(Indexed::item).toList());
            record(group, new HashSet<>(fresh), outcomes);
        } catch (RuntimeException e) {
            if (!Failures.isPermanent(e) || group.size() == 1) {
                fail(shard, group, e, outcomes);
                return;
            }
            LOG.warn("batch of {} on shard {} failed permanently ({}); retrying one by one to isolate the bad event",
                    group.size(), shard, Failures.sqlState(e));
            for (Indexed<T> item : group) {
                writeGroup(shard, List.of(item), outcomes);
            }
        }
    }

    private void record(List<Indexed<T>> group, Set<String> fresh, Outcome[] outcomes) {
        for (Indexed<T> item : group) {
            // Only the first of several copies in one batch counts as applied.
            outcomes[item.index()] = fresh.remove(idOf.apply(item.item())) ? Outcome.applied() : Outcome.duplicate();
        }
    }

    private static <T> void fail(String shard, List<Indexed<T>> group, RuntimeException e, Outcome[] outcomes) {
        boolean permanent = Failures.isPermanent(e);
        if (!permanent) {
            LOG.warn("shard {} failed for {} event(s), will retry: {}", shard, group.size(), e.toString());
        }
        for (Indexed<T> item : group) {
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
