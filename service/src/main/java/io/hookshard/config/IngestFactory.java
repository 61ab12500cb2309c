package io.hookshard.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.NotNull;

/** How admitted webhooks are taken: through Kafka (the default) or applied synchronously to their shard. */
public class IngestFactory {
    public enum Mode {
        /** Store in Kafka, answer 202, consumers apply. */
        KAFKA,
        /** Apply in the request, answer 200 after the shard commit; Kafka carries only the downstream events. */
        SYNC;

        @com.fasterxml.jackson.annotation.JsonCreator
        public static Mode parse(String value) {
            return valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
        }
    }

    @NotNull
    private Mode mode = Mode.KAFKA;

    @JsonProperty
    public Mode getMode() {
        return mode;
    }

    @JsonProperty
    public void setMode(Mode mode) {
        this.mode = mode;
    }
}
