package io.hookshard.core;

import com.fasterxml.jackson.annotation.JsonProperty;

/** One thing wrong with a payload: where (a JSON pointer) and what. */
public record Violation(@JsonProperty("pointer") String pointer, @JsonProperty("message") String message) {
}
