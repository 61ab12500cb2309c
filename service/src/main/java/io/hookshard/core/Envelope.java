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
 *
 * <p>An event a provider posted in its own format (see {@code io.hookshard.providers}) also names the
 * {@code provider} and the {@code mapping} version that turned it into Hookshard's fields: then {@code payload} holds
 * those fields (what consumers decode, cheaply, as for any webhook) and {@code providerPayload} the provider's item
 * as it sent it (what the shards store). All three are null for Hookshard's own webhooks.
 */
public record Envelope(UUID eventId, String key, EventType type, String webhookId, Instant receivedAt, String schema,
                       String payload, String provider, String mapping, String providerPayload) {

    public Envelope {
        requireNonNull(eventId, "event_id");
        requireNonNull(key, "key");
        requireNonNull(type, "type");
        requireNonNull(receivedAt, "received_at");
        requireNonNull(payload, "payload");
        if ((provider == null) != (providerPayload == null)) {
            throw new IllegalArgumentException("provider and provider_payload go together");
        }
    }

    /** A webhook in Hookshard's own format: its payload is what is stored. */
    public Envelope(UUID eventId, String key, EventType type, String webhookId, Instant receivedAt, String schema,
                    String payload) {
        this(eventId, key, type, webhookId, receivedAt, schema, payload, null, null, null);
    }

    /** The JSON text the shards store: the provider's own item where there is one, else the payload. */
    public String stored() {
        return providerPayload != null ? providerPayload : payload;
    }

    /** The event id of a provider event: a name-based UUID of type and provider_event_id, the same in every process. */
    public static UUID eventIdOf(EventType type, String providerEventId) {
        return UUID.nameUUIDFromBytes((type.wireName() + ":" + providerEventId).getBytes(StandardCharsets.UTF_8));
    }
}
