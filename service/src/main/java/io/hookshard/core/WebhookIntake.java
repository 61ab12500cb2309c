package io.hookshard.core;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.hookshard.security.SignatureException;
import io.hookshard.security.SignatureVerifier;

import java.io.IOException;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The door: signature over the raw bytes first, then JSON, then the schema; what passes becomes an envelope, which
 * must then decode as the consumers decode it (so nothing accepted here can fail there for its content).
 * Nothing here touches Kafka or a shard, so a refused webhook leaves no trace but a log line and a metric.
 */
public final class WebhookIntake {
    private final Map<EventType, SignatureVerifier> verifiers;
    private final ObjectReader reader;
    private final PayloadSchemas schemas;
    private final EventDecoder decoder;
    private final Clock clock;
    private final List<String> providers;

    /**
     * @param verifiers the signature scheme of each endpoint
     * @param decoder   the consumers' decoder, built on the same {@code schemas}
     * @param providers the names of the providers' own endpoints, whose event ids begin with the name and a colon
     */
    public WebhookIntake(Map<EventType, SignatureVerifier> verifiers, ObjectMapper mapper, PayloadSchemas schemas,
                         EventDecoder decoder, Clock clock, Collection<String> providers) {
        this.providers = List.copyOf(providers);
        this.verifiers = Map.copyOf(verifiers);
        // A body must mean one thing: trailing tokens and repeated keys are refused, not resolved.
        this.reader = mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        this.schemas = schemas;
        this.decoder = decoder;
        this.clock = clock;
    }

    /** @param headers the request's headers by name; absent ones are null */
    public Envelope admit(EventType type, UnaryOperator<String> headers, byte[] body) throws WebhookRejection {
        String webhookId;
        try {
            webhookId = verifiers.get(type).verify(headers, body);
        } catch (SignatureException e) {
            throw new WebhookRejection(401, e.reason(), e.getMessage());
        }
        JsonNode payload = parse(body);
        List<Violation> violations = schemas.validate(type, payload);
        if (!violations.isEmpty()) {
            throw new WebhookRejection(422, "schema_violation",
                    "the body does not match the " + type.schemaName() + " schema (GET /schemas/" + type.schemaName()
                            + ")", violations);
        }
        String providerEventId = payload.get("provider_event_id").asText();
        reserved(providerEventId);
        String key = payload.get(type.partitionKeyField()).asText();
        Envelope envelope = new Envelope(Envelope.eventIdOf(type, providerEventId), key, type, webhookId,
                clock.instant(), schemas.version(type), asReceived(body, payload));
        decodable(envelope);
        return envelope;
    }

    /**
     * An id written as a provider's endpoint writes its ids ({@code stripe:evt_...}) would be the same event as that
     * provider's: one of the two would be accepted and then dead-lettered as a conflict. Refused while the sender can
     * be told why.
     */
    private void reserved(String providerEventId) throws WebhookRejection {
        for (String provider : providers) {
            // In any case: "Stripe:evt_1" would not collide, but it reads as a provider's id all the same.
            if (providerEventId.regionMatches(true, 0, provider + ":", 0, provider.length() + 1)) {
                throw new WebhookRejection(422, "schema_violation", "provider_event_id must not begin with \""
                        + provider + ":\"", List.of(new Violation("/provider_event_id", "must not begin with \""
                        + provider + ":\", which names the events of /webhooks/" + provider)));
            }
        }
    }

    /**
     * What the schema lets through but the shards cannot store (a leap second, year 0000, U+0000 in a text column,
     * an unpaired surrogate) is refused here, by the consumers' own decoder: one streaming pass over the payload,
     * since the envelope names the schema version just checked.
     */
    private void decodable(Envelope envelope) throws WebhookRejection {
        try {
            if (envelope.type() == EventType.ORDER_PAYMENT) {
                decoder.order(envelope);
            } else {
                decoder.chargeback(envelope);
            }
        } catch (InvalidEventException e) {
            throw new WebhookRejection(422, e.reason(), "the body cannot be stored as sent: " + e.getMessage(),
                    e.violations());
        }
    }

    /**
     * The body's own text (less surrounding whitespace), so that the stored payload is what the provider signed, key
     * order, number formats and all, and both ingest modes store the same text. A body in another
     * encoding than UTF-8 (JSON parsers accept UTF-16 and UTF-32) is stored as its parsed tree instead.
     */
    private static String asReceived(byte[] body, JsonNode parsed) throws WebhookRejection {
        String text = Utf8Body.asSent(body);
        if (text != null) {
            return text.strip();
        }
        return parsed.toString();
    }

    private JsonNode parse(byte[] body) throws WebhookRejection {
        try {
            JsonNode node = reader.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw new WebhookRejection(400, "malformed_json", "the body is empty");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new WebhookRejection(400, "malformed_json", "the body is not valid JSON: "
                    + e.getOriginalMessage());
        } catch (IOException e) {
            throw new WebhookRejection(400, "malformed_json", "the body could not be read");
        }
    }
}
