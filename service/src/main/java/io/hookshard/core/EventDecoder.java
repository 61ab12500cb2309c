package io.hookshard.core;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * Envelope -> typed event, validating the payload against its schema first. The consumers run this on every
 * record (an envelope may come from an older release or a replay); ingest runs the same schema check.
 */
public final class EventDecoder {
    private final PayloadSchemas schemas;

    public EventDecoder(PayloadSchemas schemas) {
        this.schemas = schemas;
    }

    public OrderEvent order(Envelope envelope) throws InvalidEventException {
        JsonNode payload = validated(envelope, EventType.ORDER_PAYMENT);
        return new OrderEvent(envelope.eventId(),
                payload.get("provider_event_id").asText(),
                payload.get("user_id").asText(),
                payload.get("order_id").asText(),
                OrderStatus.fromWireName(payload.get("status").asText()),
                payload.get("amount_minor").asLong(),
                payload.get("currency").asText(),
                instant(payload),
                envelope.receivedAt(),
                payload.toString());
    }

    public ChargebackEvent chargeback(Envelope envelope) throws InvalidEventException {
        JsonNode payload = validated(envelope, EventType.CHARGEBACK);
        return new ChargebackEvent(envelope.eventId(),
                payload.get("provider_event_id").asText(),
                payload.get("order_id").asText(),
                payload.get("dispute_id").asText(),
                DisputeStatus.fromWireName(payload.get("status").asText()),
                payload.get("reason").asText(),
                payload.get("amount_minor").asLong(),
                payload.get("currency").asText(),
                instant(payload),
                envelope.receivedAt(),
                payload.toString());
    }

    private JsonNode validated(Envelope envelope, EventType expected) throws InvalidEventException {
        if (envelope.type() != expected) {
            throw new InvalidEventException("wrong_event_type",
                    "expected " + expected.wireName() + " but the envelope says " + envelope.type().wireName());
        }
        List<Violation> violations = schemas.validate(expected, envelope.payload());
        if (!violations.isEmpty()) {
            throw new InvalidEventException("schema_violation", "payload violates the " + expected.schemaName()
                    + " schema: " + violations, violations);
        }
        return envelope.payload();
    }

    private static Instant instant(JsonNode payload) throws InvalidEventException {
        String text = payload.get("occurred_at").asText();
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw new InvalidEventException("schema_violation", "occurred_at is not an RFC 3339 timestamp: " + text,
                    List.of(new Violation("/occurred_at", "must be an RFC 3339 date-time")));
        }
    }
}
