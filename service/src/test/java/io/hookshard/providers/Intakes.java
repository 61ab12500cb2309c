package io.hookshard.providers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.jackson.Jackson;
import io.hookshard.core.EventDecoder;
import io.hookshard.core.PayloadSchemas;
import io.hookshard.core.WebhookRejection;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The providers' door as the service builds it, without servers: the real schemas and the consumers' decoder. */
final class Intakes {
    static final ObjectMapper JSON = Jackson.newObjectMapper();
    static final PayloadSchemas SCHEMAS = new PayloadSchemas();

    private Intakes() {
    }

    static ProviderIntake of(ProviderAdapter adapter, Clock clock) {
        return new ProviderIntake(List.of(adapter), JSON, SCHEMAS, new EventDecoder(SCHEMAS), clock);
    }

    static ProviderSettings settings(String secrets, Clock clock) {
        return new ProviderSettings(secrets, null, null, null, Duration.ofMinutes(5), clock);
    }

    static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Asserts the request is refused with this status and code, and returns the refusal for more checks. */
    static WebhookRejection refused(ThrowingCallable admit, int status, String code) {
        WebhookRejection rejection = catchThrowableOfType(WebhookRejection.class, admit);
        assertThat(rejection).as("the request is refused").isNotNull();
        assertThat(rejection.status() + " " + rejection.code()).isEqualTo(status + " " + code);
        return rejection;
    }
}
