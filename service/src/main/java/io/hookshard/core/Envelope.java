package io.hookshard.core;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

import static java.util.Objects.requireNonNull;

/**
 * What ingest writes to Kafka for every accepted webhook. {@code eventId} is derived from the provider's event id,
 * so a provider's retry of the same event carries the same id; {@code key} is the Kafka record key (user_id for
 * orders, order_id for chargebacks); {@code payload} is the webhook body as the provider sent it: its JSON text,
 * extra fields, key order and all. {@code schema} names the schema version ingest checked the payload against
 * ({@link PayloadSchemas#version}); null when nobody did, as for envelopes written by other producers.
 * {@link EnvelopeCodec} alone reads and writes it, with the field names the README documents.
 */
public record Envelope(UUID eventId, String key, EventType type, String webhookId, Instant receivedAt, String schema,
                       String payload) {

    public Envelope {
        requireNonNull(eventId, "event_id");
        requireNonNull(key, "key");
        requireNonNull(type, "type");
        requireNonNull(receivedAt, "received_at");
        requireNonNull(payload, "payload");
    }

    /** The event id of a provider event: a name-based UUID of type and provider_event_id, the same in every process. */
    public static UUID eventIdOf(EventType type, String providerEventId) {
        return UUID.nameUUIDFromBytes((type.wireName() + ":" + providerEventId).getBytes(StandardCharsets.UTF_8));
    }
}
