package io.hookshard.api;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Instant;
import java.util.UUID;

/** One stored order event, oldest first in {@link OrderView#events()}. */
public record OrderEventView(
        @JsonProperty("event_id") UUID eventId,
        @JsonProperty("provider_event_id") String providerEventId,
        @JsonProperty("status") String status,
        @JsonProperty("amount_minor") long amountMinor,
        @JsonProperty("currency") String currency,
        @JsonProperty("occurred_at") Instant occurredAt,
        @JsonProperty("received_at") Instant receivedAt) {
}
