package io.hookshard.api;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/** Every error Hookshard answers: a stable code, a sentence for humans, and the details (e.g. each violation). */
public record ErrorResponse(@JsonProperty("code") String code,
                            @JsonProperty("message") String message,
                            @JsonProperty("details") List<?> details) {
    public ErrorResponse {
        details = details == null ? List.of() : List.copyOf(details);
    }
}
