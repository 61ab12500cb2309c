package io.hookshard.consume;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

/**
 * Reads a worker's lag from the broker now and then: the log end minus the first record not done, that is the
 * position, or the lowest record still waiting for a retry when one does. A paused partition is not fetched, so the
 * lag a fetch reports would stand still exactly when it grows; and while a shard is down the position runs ahead of
 * thousands of records held for a retry, which the position alone would count as done.
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

    void maybeRead(Consumer<?, ?> consumer, ToLongFunction<TopicPartition> firstWaiting) {
        if (nanoTime.getAsLong() - nextReadNanos < 0 || consumer.assignment().isEmpty()) {
            return;
        }
        nextReadNanos = nanoTime.getAsLong() + interval.toNanos();
        try {
            Map<TopicPartition, Long> ends = consumer.endOffsets(consumer.assignment(), TIMEOUT);
            ends.forEach((partition, end) -> lag.update(partition, Math.max(0, end
                    - Math.min(consumer.position(partition, TIMEOUT), firstWaiting.applyAsLong(partition)))));
        } catch (TimeoutException e) {
            LOG.debug("lag not read this time: {}", e.getMessage());
        }
    }

    void forget(java.util.Collection<TopicPartition> partitions) {
        partitions.forEach(lag::forget);
    }
}
