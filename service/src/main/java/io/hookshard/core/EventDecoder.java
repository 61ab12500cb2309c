package io.hookshard.core;

import com.fasterxml.jackson.core.JsonFactory;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.function.Function;

/**
 * Envelope -> typed event. The payload is checked against its schema unless the envelope says ingest already checked
 * it against the same schema version: then the bytes are the ones that passed, and checking again would only cost.
 * Envelopes from other producers or an older schema (a replay, a release in between) are checked here.
 */
public final class EventDecoder {
    private final PayloadSchemas schemas;
    private final PayloadFields orderFields;
    private final PayloadFields chargebackFields;

    public EventDecoder(PayloadSchemas schemas) {
        this.schemas = schemas;
        JsonFactory json = new JsonFactory();
        this.orderFields = new PayloadFields(json, "provider_event_id", "user_id", "order_id", "status",
                "amount_minor", "currency", "occurred_at");
        this.chargebackFields = new PayloadFields(json, "provider_event_id", "order_id", "dispute_id", "status",
                "reason", "amount_minor", "currency", "occurred_at");
    }

    public OrderEvent order(Envelope envelope) throws InvalidEventException {
        validated(envelope, EventType.ORDER_PAYMENT);
        PayloadFields.Values payload = orderFields.read(envelope.payload());
        return new OrderEvent(envelope.eventId(),
                payload.string("provider_event_id"),
                payload.string("user_id"),
                payload.string("order_id"),
                status(payload, OrderStatus::fromWireName),
                payload.integer("amount_minor"),
                payload.string("currency"),
                instant(payload.string("occurred_at")),
                envelope.receivedAt(),
                envelope.stored(),
                envelope.payload());
    }

    public ChargebackEvent chargeback(Envelope envelope) throws InvalidEventException {
        validated(envelope, EventType.CHARGEBACK);
        PayloadFields.Values payload = chargebackFields.read(envelope.payload());
        return new ChargebackEvent(envelope.eventId(),
                payload.string("provider_event_id"),
                payload.string("order_id"),
                payload.string("dispute_id"),
                status(payload, DisputeStatus::fromWireName),
                payload.string("reason"),
                payload.integer("amount_minor"),
                payload.string("currency"),
                instant(payload.string("occurred_at")),
                envelope.receivedAt(),
                envelope.stored(),
                envelope.payload());
    }

    private void validated(Envelope envelope, EventType expected) throws InvalidEventException {
        if (envelope.type() != expected) {
            throw new InvalidEventException("wrong_event_type",
                    "expected " + expected.wireName() + " but the envelope says " + envelope.type().wireName());
        }
        if (schemas.version(expected).equals(envelope.schema())) {
            return;
        }
        List<Violation> violations = schemas.validate(expected, envelope.payload());
        if (!violations.isEmpty()) {
            throw new InvalidEventException("schema_violation", "payload violates the " + expected.schemaName()
                    + " schema: " + violations, violations);
        }
    }

    private static <S> S status(PayloadFields.Values payload, Function<String, S> parser)
            throws InvalidEventException {
        String text = payload.string("status");
        try {
            return parser.apply(text);
        } catch (IllegalArgumentException e) {
            throw PayloadFields.violation("/status", "is not a known status: " + text);
        }
    }

    private static Instant instant(String text) throws InvalidEventException {
        try {
            return Rfc3339.parse(text);
        } catch (DateTimeParseException e) {
            throw new InvalidEventException("schema_violation", "occurred_at is not an RFC 3339 timestamp: " + text,
                    List.of(new Violation("/occurred_at", "must be an RFC 3339 date-time")));
        }
    }
}
