package io.hookshard.api;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Instant;

/** A dispute (chargeback) of an order, in its latest state. */
public record DisputeView(
        @JsonProperty("dispute_id") String disputeId,
        @JsonProperty("status") String status,
        @JsonProperty("reason") String reason,
        @JsonProperty("amount_minor") long amountMinor,
        @JsonProperty("currency") String currency,
        @JsonProperty("last_event_at") Instant lastEventAt) {
}
