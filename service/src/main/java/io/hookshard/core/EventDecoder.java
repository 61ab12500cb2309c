package io.hookshard.core;

import com.fasterxml.jackson.core.JsonFactory;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.function.Function;

/**
 * Envelope -> typed event. The payload is checked against its schema unless the envelope says ingest already checked
 * it against the same schema version: then the bytes are the ones that passed, and checking again would only cost.
 * Envelopes from other producers or an older schema (a replay, a release in between) are checked here.
 *
 * <p>Beyond the schema, a decoded event is one the shards can store as it came: occurred_at an instant timestamptz
 * holds (see {@link #instant}), text without U+0000 and a payload without unpaired surrogates (see
 * {@link StorableText}). Ingest decodes every envelope it builds with this same code, so what it accepts is what the
 * consumers can apply, and what fails here is a schema violation at the door and a dead letter in the consumer.
 */
public final class EventDecoder {
    private static final Instant FIRST_STORABLE = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant AFTER_LAST_STORABLE = Instant.parse("+10000-01-01T00:00:00Z");

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
        String providerEventId = payload.string("provider_event_id");
        String userId = payload.string("user_id");
        String orderId = payload.string("order_id");
        OrderStatus status = status(payload, OrderStatus::fromWireName);
        long amountMinor = payload.integer("amount_minor");
        String currency = payload.string("currency");
        Instant occurredAt = instant(payload.string("occurred_at"));
        return new OrderEvent(envelope.eventId(), providerEventId, userId, orderId, status, amountMinor, currency,
                occurredAt, envelope.receivedAt(), envelope.stored(), content(providerEventId, userId, orderId,
                status.wireName(), Long.toString(amountMinor), currency, Rfc3339.format(occurredAt)));
    }

    public ChargebackEvent chargeback(Envelope envelope) throws InvalidEventException {
        validated(envelope, EventType.CHARGEBACK);
        PayloadFields.Values payload = chargebackFields.read(envelope.payload());
        String providerEventId = payload.string("provider_event_id");
        String orderId = payload.string("order_id");
        String disputeId = payload.string("dispute_id");
        DisputeStatus status = status(payload, DisputeStatus::fromWireName);
        String reason = payload.string("reason");
        long amountMinor = payload.integer("amount_minor");
        String currency = payload.string("currency");
        Instant occurredAt = instant(payload.string("occurred_at"));
        return new ChargebackEvent(envelope.eventId(), providerEventId, orderId, disputeId, status, reason,
                amountMinor, currency, occurredAt, envelope.receivedAt(), envelope.stored(), content(providerEventId,
                orderId, disputeId, status.wireName(), reason, Long.toString(amountMinor), currency,
                Rfc3339.format(occurredAt)));
    }

    /**
     * What the inbox compares when the same provider event arrives again: the fields Hookshard applies, as decoded, so
     * that a retry in other whitespace or key order, or with a provider's own bookkeeping changed (Stripe's
     * pending_webhooks), is the same event, and one with another amount or status is not. Each field is prefixed
     * with its length, so no field's text can pass for a boundary.
     */
    private static String content(String... fields) {
        StringBuilder content = new StringBuilder();
        for (String field : fields) {
            content.append(field.length()).append(':').append(field);
        }
        return content.toString();
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

    /**
     * RFC 3339 allows a leap second (23:59:60) and year 0000; an Instant has no leap seconds, and the shards store
     * years 0001-9999 (PostgreSQL has no year 0, and we send the four-digit form). Both are refused, not mapped: any
     * mapping of :60 would tie or misorder it with the events of the second around it.
     *
     * <p>The instant is cut to the microsecond timestamptz holds, here where every event is decoded, so that the
     * stores' choice of the newest event (in Java within a batch, in SQL against the stored row) compares the same
     * values. Cut, not rounded as PostgreSQL would round more digits: rounding could carry into year 10000.
     */
    private static Instant instant(String text) throws InvalidEventException {
        Instant instant;
        try {
            instant = Rfc3339.parse(text);
        } catch (DateTimeParseException e) {
            if (text.length() > 19 && text.charAt(16) == ':' && text.startsWith("60", 17)) {
                throw PayloadFields.violation("/occurred_at", "must not be a leap second (second 60), which has"
                        + " no instant to be stored as: " + text);
            }
            throw new InvalidEventException("schema_violation", "occurred_at is not an RFC 3339 timestamp: " + text,
                    List.of(new Violation("/occurred_at", "must be an RFC 3339 date-time")));
        }
        if (instant.isBefore(FIRST_STORABLE) || !instant.isBefore(AFTER_LAST_STORABLE)) {
            throw PayloadFields.violation("/occurred_at", "must fall in the years 0001-9999 once converted to UTC,"
                    + " which is what the shards store: " + text);
        }
        return instant.truncatedTo(ChronoUnit.MICROS);
    }
}
