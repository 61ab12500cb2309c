package io.hookshard.api;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.UUID;

/** The answer to an accepted webhook: 202 (stored in Kafka) or 200 (applied, in sync mode). */
public record AcceptedResponse(@JsonProperty("event_id") UUID eventId, @JsonProperty("status") String status) {
}
