package io.hookshard.consume;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The topic whose events parked records wait for (chargebacks wait for orders), seen through the group's commits: the
 * park window may only run out once the group has consumed that topic past where it ended when the window closed,
 * so that a paused or lagging consumer of orders never gets good chargebacks dead-lettered.
 */
final class AwaitedTopic {
    private static final Logger LOG = LoggerFactory.getLogger(AwaitedTopic.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final Consumer<?, ?> consumer;
    private final String topic;

    /** @param topic null when parked records wait for nothing the group consumes */
    AwaitedTopic(Consumer<?, ?> consumer, String topic) {
        this.consumer = consumer;
        this.topic = topic;
    }

    /** The topic's end offsets now; empty when nothing is awaited, null when the broker did not answer. */
    Map<TopicPartition, Long> ends() {
        if (topic == null) {
            return Map.of();
        }
        try {
            return consumer.endOffsets(consumer.partitionsFor(topic, TIMEOUT).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList(), TIMEOUT);
        } catch (KafkaException e) {
            LOG.warn("could not read the end offsets of {}: {}", topic, e.toString());
            return null;
        }
    }

    /** Whether the group's commits on the topic reached {@code ends} on every partition. */
    boolean consumedUpTo(Map<TopicPartition, Long> ends) {
        if (ends.isEmpty()) {
            return true;
        }
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(ends.keySet(), TIMEOUT);
            return ends.entrySet().stream().allMatch(end -> end.getValue() == 0
                    || committed.get(end.getKey()) != null && committed.get(end.getKey()).offset() >= end.getValue());
        } catch (KafkaException e) {
            LOG.warn("could not read the group's commits on {}: {}", topic, e.toString());
            return false;
        }
    }

    static String describe(Map<TopicPartition, Long> ends) {
        return ends.entrySet().stream().map(end -> end.getKey().partition() + ":" + end.getValue())
                .sorted().collect(Collectors.joining(",", "[", "]"));
    }

    String topic() {
        return topic;
    }
}
