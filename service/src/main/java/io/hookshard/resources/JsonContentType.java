package io.hookshard.resources;

import io.hookshard.core.WebhookRejection;
import jakarta.ws.rs.core.MediaType;

/** A webhook's body must say it is JSON. */
final class JsonContentType {
    private JsonContentType() {
    }

    /**
     * Refuses a missing Content-Type (JAX-RS lets it match any @Consumes) and a wildcard one: {@code *}{@code /*} and
     * {@code application/*} are compatible with JSON as JAX-RS matches types, but they say nothing of the body.
     */
    static void require(MediaType type) throws WebhookRejection {
        if (type == null || type.isWildcardType() || type.isWildcardSubtype()
                || !MediaType.APPLICATION_JSON_TYPE.isCompatible(type)) {
            throw new WebhookRejection(415, "unsupported_media_type", "Content-Type must be application/json");
        }
    }
}
