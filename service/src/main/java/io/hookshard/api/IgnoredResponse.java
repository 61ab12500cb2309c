package io.hookshard.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The 200 answer to a provider's event of a kind Hookshard does not map: acknowledged and counted, not stored. */
public record IgnoredResponse(@JsonProperty("status") String status, @JsonProperty("event_type") String eventType) {
    public static IgnoredResponse of(String eventType) {
        return new IgnoredResponse("ignored", eventType);
    }
}
