package io.hookshard.core;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonRawValue;

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
 */
public record Envelope(
        @JsonProperty("event_id") UUID eventId,
        @JsonProperty("key") String key,
        @JsonProperty("type") EventType type,
        @JsonProperty("webhook_id") String webhookId,
        @JsonProperty("received_at") Instant receivedAt,
        @JsonProperty("schema") @JsonInclude(JsonInclude.Include.NON_NULL) String schema,
        @JsonProperty("payload") @JsonRawValue String payload) {

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
