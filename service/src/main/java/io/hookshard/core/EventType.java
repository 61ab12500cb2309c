package io.hookshard.core;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;

/** What an envelope carries; the wire name is stable because it is stored in Kafka and in the shards. */
public enum EventType {
    ORDER_PAYMENT("payment.order", "order-payment"),
    CHARGEBACK("payment.chargeback", "chargeback");

    private final String wireName;
    private final String schemaName;

    EventType(String wireName, String schemaName) {
        this.wireName = wireName;
        this.schemaName = schemaName;
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
