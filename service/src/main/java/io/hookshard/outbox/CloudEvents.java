package io.hookshard.outbox;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.hookshard.core.ChargebackEvent;
import io.hookshard.core.OrderEvent;
import io.hookshard.core.Rfc3339;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/**
 * Downstream events as CloudEvents 1.0 in structured JSON: {@code specversion}, {@code id}, {@code source}
 * ({@code hookshard/<shard id>}), {@code type} ({@code io.hookshard.order.<status>} or
 * {@code io.hookshard.dispute.<status>}), {@code subject} (the order id), {@code time} (the provider's occurred_at),
 * {@code datacontenttype} and {@code data}: the order's or dispute's state after the change, with its user_id and the
 * status before the change ({@code previous_status}, null for a new order or dispute).
 *
 * <p>The id is a name-based UUID of the change alone (aggregate, entity, type and the provider event that made it),
 * never of the shard or the time of writing: an event published again, or published by another shard after a bucket
 * move, has the same id, so consumers can drop what they have seen.
 */
public final class CloudEvents {
    public static final String AGGREGATE_TYPE = "order";
    public static final String CONTENT_TYPE = "application/cloudevents+json; charset=UTF-8";
    private static final String ORDER_TYPE = "io.hookshard.order.";
    private static final String DISPUTE_TYPE = "io.hookshard.dispute.";
    private static final JsonFactory JSON = new JsonFactory();

    private CloudEvents() {
    }

    /** The event of an order moved to {@code event}'s status by {@code event} on {@code shardId}. */
    public static OutboxEvent orderChanged(String shardId, int bucket, OrderEvent event, String previousStatus) {
        String type = ORDER_TYPE + event.status().wireName();
        UUID id = id(type, event.orderId(), event.orderId(), event.providerEventId());
        String payload = document(id, shardId, type, event.orderId(), event.occurredAt(), out -> {
            out.writeStringField("order_id", event.orderId());
            out.writeStringField("user_id", event.userId());
            out.writeStringField("status", event.status().wireName());
            out.writeStringField("previous_status", previousStatus);
            out.writeNumberField("amount_minor", event.amountMinor());
            out.writeStringField("currency", event.currency());
            out.writeStringField("occurred_at", Rfc3339.format(event.occurredAt()));
            out.writeStringField("provider_event_id", event.providerEventId());
        });
        return new OutboxEvent(id, AGGREGATE_TYPE, event.orderId(), type, payload, bucket);
    }

    /** The event of a dispute of {@code userId}'s order moved to {@code event}'s status by {@code event}. */
    public static OutboxEvent disputeChanged(String shardId, int bucket, ChargebackEvent event, String userId,
                                             String previousStatus) {
        String type = DISPUTE_TYPE + event.status().wireName();
        UUID id = id(type, event.orderId(), event.disputeId(), event.providerEventId());
        String payload = document(id, shardId, type, event.orderId(), event.occurredAt(), out -> {
            out.writeStringField("dispute_id", event.disputeId());
            out.writeStringField("order_id", event.orderId());
            out.writeStringField("user_id", userId);
            out.writeStringField("status", event.status().wireName());
            out.writeStringField("previous_status", previousStatus);
            out.writeStringField("reason", event.reason());
            out.writeNumberField("amount_minor", event.amountMinor());
            out.writeStringField("currency", event.currency());
            out.writeStringField("occurred_at", Rfc3339.format(event.occurredAt()));
            out.writeStringField("provider_event_id", event.providerEventId());
        });
        return new OutboxEvent(id, AGGREGATE_TYPE, event.orderId(), type, payload, bucket);
    }

    /** Newlines cannot occur in identifiers (printable, no spaces), so the parts cannot run into each other. */
    static UUID id(String type, String orderId, String entityId, String providerEventId) {
        return UUID.nameUUIDFromBytes(("hookshard.outbox\n" + type + "\n" + orderId + "\n" + entityId + "\n"
                + providerEventId).getBytes(StandardCharsets.UTF_8));
    }

    private interface Data {
        void write(JsonGenerator out) throws IOException;
    }

    private static String document(UUID id, String shardId, String type, String orderId, Instant time, Data data) {
        StringWriter text = new StringWriter(512);
        try (JsonGenerator out = JSON.createGenerator(text)) {
            out.writeStartObject();
            out.writeStringField("specversion", "1.0");
            out.writeStringField("id", id.toString());
            out.writeStringField("source", "hookshard/" + shardId);
            out.writeStringField("type", type);
            out.writeStringField("subject", orderId);
            out.writeStringField("time", Rfc3339.format(time));
            out.writeStringField("datacontenttype", "application/json");
            out.writeObjectFieldStart("data");
            data.write(out);
            out.writeEndObject();
            out.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return text.toString();
    }
}
