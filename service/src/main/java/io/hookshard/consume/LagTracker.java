package io.hookshard.consume;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import org.apache.kafka.common.TopicPartition;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The lag of every partition this instance consumes, as the consumers last saw it (records behind the log end),
 * published as a gauge per partition: {@code hookshard.consumer.lag.<topic>.<partition>}.
 */
public final class LagTracker {
    private final Map<TopicPartition, Long> lags = new ConcurrentHashMap<>();
    private final MetricRegistry metrics;

    public LagTracker(MetricRegistry metrics) {
        this.metrics = metrics;
    }

    void update(TopicPartition partition, long lag) {
        if (lags.put(partition, lag) == null) {
            metrics.gauge(MetricRegistry.name("hookshard.consumer.lag", partition.topic(),
                    Integer.toString(partition.partition())), () -> (Gauge<Long>) () -> lags.getOrDefault(partition, 0L));
        }
    }

    void forget(TopicPartition partition) {
        lags.remove(partition);
    }

    /** Lag per partition, sorted by topic and partition. */
    public Map<String, Long> snapshot() {
        Map<String, Long> snapshot = new TreeMap<>();
        lags.forEach((partition, lag) -> snapshot.put(partition.toString(), lag));
        return snapshot;
    }
}
