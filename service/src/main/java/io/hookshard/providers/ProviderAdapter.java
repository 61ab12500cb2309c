package io.hookshard.providers;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookshard.security.SignatureException;

import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A payment provider that posts its own webhooks, to {@code POST /webhooks/{name}}: how it signs them, where the
 * events are in a body and how each maps to a Hookshard order payment or chargeback. Everything else (strict JSON,
 * Hookshard's schema, the consumers' decoder, envelopes, ingestion, metrics) is {@link ProviderIntake}'s, the same for
 * every provider. A provider is one implementation, constructed from its {@link ProviderSettings}, and its line in
 * {@link ProviderAdapters}.
 */
public interface ProviderAdapter {
    /** Its endpoint's last path segment, its configuration key and the {@code provider} of its envelopes. */
    String name();

    /**
     * The version of the mapping, written into every envelope; change it whenever a mapping changes what an event
     * says, so that stored events can be told apart.
     */
    String mapping();

    /**
     * Checks the request's signature over the raw body, before anything parses it. With no secret configured it
     * refuses every request ({@code no_secret_configured}), also where each event carries its own signature.
     */
    void verify(UnaryOperator<String> headers, byte[] body) throws SignatureException;

    /**
     * Where the body's events are, as JSON pointers into it: {@code ""} (the whole body) for a provider that posts
     * one event per request, which is the only kind that may leave {@link #acknowledgement()} empty.
     */
    List<String> events(JsonNode body) throws MappingException;

    /** Checks one event's own signature, for providers that sign each event of a batch; the request's was enough else. */
    default void verifyEvent(JsonNode event) throws SignatureException {
    }

    /**
     * The Hookshard event a provider event is; empty for a kind Hookshard does not map, which is acknowledged and
     * counted, never refused (providers disable endpoints that keep refusing).
     */
    Optional<MappedEvent> map(JsonNode event) throws MappingException;

    /** The provider's name for an event's kind, to count those not mapped; null when it has none. */
    String eventType(JsonNode event);

    /**
     * The text the provider expects once every event of a request is stored ({@code [accepted]} for Adyen); empty for
     * Hookshard's own JSON answer with the event id.
     */
    default Optional<String> acknowledgement() {
        return Optional.empty();
    }
}
