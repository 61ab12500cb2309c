package io.hookshard.consume;

import com.codahale.metrics.Counter;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;

/**
 * Catches records deleted before they were applied: a committed offset below the log start means retention (or an
 * operator) removed records this group never applied. The consumer can only go on from the log start, but never
 * silently: an ERROR names the range and {@code hookshard.consumer.<topic>.deleted-unapplied} counts the records.
 */
final class OffsetGapCheck {
    private static final Logger LOG = LoggerFactory.getLogger(OffsetGapCheck.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final Counter deletedUnapplied;

    OffsetGapCheck(Counter deletedUnapplied) {
        this.deletedUnapplied = deletedUnapplied;
    }

    void check(Consumer<?, ?> consumer, Collection<TopicPartition> assigned) {
        if (assigned.isEmpty()) {
            return;
        }
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(assigned), TIMEOUT);
            Map<TopicPartition, Long> starts = consumer.beginningOffsets(assigned, TIMEOUT);
            committed.forEach((partition, offset) -> {
                Long start = starts.get(partition);
                if (offset != null && start != null && offset.offset() < start) {
                    long lost = start - offset.offset();
                    deletedUnapplied.inc(lost);
                    LOG.error("{}: records {}..{} ({} record(s)) were deleted from the log before this group applied"
                                    + " them (committed offset {} is below the log start {}); they cannot be read any"
                                    + " more. Check the topic's retention against the consumers' downtime and lag.",
                            partition, offset.offset(), start - 1, lost, offset.offset(), start);
                }
            });
        } catch (KafkaException e) {
            LOG.warn("could not compare committed offsets with the log start of {}: {}", assigned, e.toString());
        }
    }
}
