package io.hookshard.core;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;

/** What an envelope carries; the wire name is stable because it is stored in Kafka and in the shards. */
public enum EventType {
    /** Keyed by the user: all of a user's orders live on one shard. */
    ORDER_PAYMENT("payment.order", "order-payment", "user_id"),
    /** Keyed by the order: chargebacks carry no user; the order directory names the owner. */
    CHARGEBACK("payment.chargeback", "chargeback", "order_id");

    private final String wireName;
    private final String schemaName;
    private final String partitionKeyField;

    EventType(String wireName, String schemaName, String partitionKeyField) {
        this.wireName = wireName;
        this.schemaName = schemaName;
        this.partitionKeyField = partitionKeyField;
    }

    /** The payload field whose value keys the Kafka record (and so picks its partition). */
    public String partitionKeyField() {
        return partitionKeyField;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    /** The JSON Schema of the payload, published at {@code GET /schemas/{schemaName}}. */
    public String schemaName() {
        return schemaName;
    }

    @JsonCreator
    public static EventType fromWireName(String wireName) {
        return Arrays.stream(values()).filter(type -> type.wireName.equals(wireName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown event type: " + wireName));
    }
}
