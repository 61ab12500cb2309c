package io.hookshard.consume;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Reads a worker's lag (log end minus position) from the broker now and then: a paused partition is not fetched, so
 * the lag a fetch reports would stand still exactly when it grows.
 */
final class LagProbe {
    private static final Logger LOG = LoggerFactory.getLogger(LagProbe.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final LagTracker lag;
    private final Duration interval;
    private final LongSupplier nanoTime;
    private long nextReadNanos;

    LagProbe(LagTracker lag, Duration interval, LongSupplier nanoTime) {
        this.lag = lag;
        this.interval = interval;
        this.nanoTime = nanoTime;
        this.nextReadNanos = nanoTime.getAsLong();
    }

    void maybeRead(Consumer<?, ?> consumer) {
        if (nanoTime.getAsLong() - nextReadNanos < 0 || consumer.assignment().isEmpty()) {
            return;
        }
        nextReadNanos = nanoTime.getAsLong() + interval.toNanos();
        try {
            Map<TopicPartition, Long> ends = consumer.endOffsets(consumer.assignment(), TIMEOUT);
            ends.forEach((partition, end) -> lag.update(partition,
                    Math.max(0, end - consumer.position(partition, TIMEOUT))));
        } catch (TimeoutException e) {
            LOG.debug("lag not read this time: {}", e.getMessage());
        }
    }

    void forget(java.util.Collection<TopicPartition> partitions) {
        partitions.forEach(lag::forget);
    }
}
