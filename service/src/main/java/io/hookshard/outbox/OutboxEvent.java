package io.hookshard.outbox;

import java.util.UUID;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * One row of a shard's outbox table: a downstream event, in the columns Debezium's outbox event router reads.
 *
 * @param id            the CloudEvent id: name-based on the change alone, so the same change has the same id wherever
 *                      and however often it is published
 * @param aggregateType always {@value CloudEvents#AGGREGATE_TYPE}: disputes belong to their order's aggregate
 * @param aggregateId   the order id, the Kafka record key: an order's and its disputes' events share a partition
 * @param type          the CloudEvent type, e.g. {@code io.hookshard.order.paid}
 * @param payload       the CloudEvent, structured mode JSON: the Kafka record value as published
 * @param bucket        the owner's bucket (hash of user_id), which a bucket move goes by
 */
public record OutboxEvent(UUID id, String aggregateType, String aggregateId, String type, String payload,
                          int bucket) {
    public OutboxEvent {
        checkArgument(bucket >= 0, "bucket must not be negative, got %s", bucket);
    }
}
