package io.hookshard.providers;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hookshard.core.Envelope;
import io.hookshard.core.EventDecoder;
import io.hookshard.core.EventType;
import io.hookshard.core.InvalidEventException;
import io.hookshard.core.PayloadSchemas;
import io.hookshard.core.Violation;
import io.hookshard.core.WebhookRejection;
import io.hookshard.security.SignatureException;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The door of the providers' own webhooks, as {@link io.hookshard.core.WebhookIntake} is of Hookshard's: the request's
 * signature over the raw bytes, strict JSON, each event's own signature, then each event mapped to Hookshard's fields,
 * checked against Hookshard's schema and decoded by the consumers' own decoder, so that a provider's event is held
 * to exactly what a Hookshard webhook is. All or nothing: one bad event refuses the whole request, before anything is
 * stored, naming every problem at the provider's own pointer.
 */
public final class ProviderIntake {
    /** What a request holds: the envelopes to store, in order, and the provider's types of the events not mapped. */
    public record Admitted(List<Envelope> envelopes, List<String> unmappedTypes) {
    }

    private final Map<String, ProviderAdapter> adapters = new LinkedHashMap<>();
    private final ObjectReader reader;
    private final PayloadSchemas schemas;
    private final EventDecoder decoder;
    private final Clock clock;
    private final EventTexts texts = new EventTexts();

    /** @param decoder the consumers' decoder, built on the same {@code schemas} */
    public ProviderIntake(List<ProviderAdapter> adapters, ObjectMapper mapper, PayloadSchemas schemas,
                          EventDecoder decoder, Clock clock) {
        adapters.forEach(adapter -> this.adapters.put(adapter.name(), adapter));
        // As for Hookshard's webhooks: a body must mean one thing, so trailing tokens and repeated keys are refused.
        this.reader = mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        this.schemas = schemas;
        this.decoder = decoder;
        this.clock = clock;
    }

    public Optional<ProviderAdapter> adapter(String name) {
        return Optional.ofNullable(adapters.get(name));
    }

    /** @param headers the request's headers by name; absent ones are null */
    public Admitted admit(ProviderAdapter adapter, UnaryOperator<String> headers, byte[] body)
            throws WebhookRejection {
        try {
            adapter.verify(headers, body);
        } catch (SignatureException e) {
            throw new WebhookRejection(401, e.reason(), e.getMessage());
        }
        JsonNode parsed = parse(body);
        List<String> pointers;
        try {
            pointers = adapter.events(parsed);
        } catch (MappingException e) {
            throw unmappable(adapter, e.violations());
        }
        if (pointers.size() > 1 && adapter.acknowledgement().isEmpty()) {
            throw new IllegalStateException(adapter.name() + " posts one event per request but found "
                    + pointers.size());
        }
        for (String pointer : pointers) {
            try {
                adapter.verifyEvent(parsed.at(pointer));
            } catch (SignatureException e) {
                throw new WebhookRejection(401, e.reason(), e.getMessage() + " (at " + display(pointer) + ")",
                        List.of(new Violation(display(pointer), e.getMessage())));
            }
        }
        List<String> originals = texts.of(body, parsed, pointers);
        Instant receivedAt = clock.instant();
        List<Envelope> envelopes = new ArrayList<>();
        List<String> unmapped = new ArrayList<>();
        List<Violation> violations = new ArrayList<>();
        Contradictions contradictions = new Contradictions();
        for (int i = 0; i < pointers.size(); i++) {
            JsonNode event = parsed.at(pointers.get(i));
            Optional<MappedEvent> mapped;
            try {
                mapped = adapter.map(event);
            } catch (MappingException e) {
                violations.addAll(at(pointers.get(i), e.violations()));
                continue;
            }
            if (mapped.isEmpty()) {
                unmapped.add(adapter.eventType(event));
                continue;
            }
            List<Violation> problems = new ArrayList<>(mapped.get().violations());
            if (problems.isEmpty()) {
                try {
                    Admissible admissible = envelope(adapter, mapped.get(), originals.get(i), receivedAt);
                    contradictions.check(display(pointers.get(i)), admissible.envelope(), admissible.content(),
                            mapped.get()).ifPresentOrElse(problems::add, () -> envelopes.add(admissible.envelope()));
                } catch (MappingException e) {
                    problems.addAll(e.violations());
                }
            }
            violations.addAll(at(pointers.get(i), problems));
        }
        if (!violations.isEmpty()) {
            throw unmappable(adapter, violations);
        }
        return new Admitted(List.copyOf(envelopes), List.copyOf(unmapped));
    }

    /**
     * The envelope of a mapped event, once its fields pass Hookshard's schema and the consumers' decoder (whatever
     * that checks beyond the schema); what fails is reported at the provider's field it came from.
     */
    private Admissible envelope(ProviderAdapter adapter, MappedEvent mapped, String original, Instant receivedAt)
            throws MappingException {
        EventType type = mapped.type();
        ObjectNode fields = mapped.fields();
        // A provider's event ids are unique among its own events only (Stripe's and Checkout.com's both begin with
        // evt_, and Hookshard's own endpoints take whatever id their sender chose), and the inbox keeps one event per
        // id: without the provider's name, one provider's event would be another's conflicting redelivery.
        fields.put("provider_event_id", adapter.name() + ":" + fields.get("provider_event_id").asText());
        List<Violation> violations = schemas.validate(type, fields);
        if (!violations.isEmpty()) {
            throw new MappingException(translated(adapter, mapped, violations));
        }
        if (hasUnpairedSurrogate(original)) {
            // Only a body that is not plain UTF-8 re-serializes one (UTF-8 bytes cannot hold it, an escape stays an
            // escape): as a character it has no UTF-8 form, so the event could be neither produced nor stored.
            throw new MappingException("/", "must not contain an unpaired UTF-16 surrogate (e.g. \\ud800 without its"
                    + " low half) in any string: it is not Unicode text");
        }
        String providerEventId = fields.get("provider_event_id").asText();
        String key = fields.get(type == EventType.ORDER_PAYMENT ? "user_id" : "order_id").asText();
        Envelope envelope = new Envelope(Envelope.eventIdOf(type, providerEventId), key, type, null, receivedAt,
                schemas.version(type), fields.toString(), adapter.name(), adapter.mapping(), original);
        try {
            return new Admissible(envelope, type == EventType.ORDER_PAYMENT ? decoder.order(envelope).content()
                    : decoder.chargeback(envelope).content());
        } catch (InvalidEventException e) {
            List<Violation> decoded = e.violations().isEmpty() ? List.of(new Violation("/", e.getMessage()))
                    : e.violations();
            throw new MappingException(translated(adapter, mapped, decoded));
        }
    }

    private static boolean hasUnpairedSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    /** An event's envelope, and what the inbox compares of it across redeliveries: its fields as decoded. */
    private record Admissible(Envelope envelope, String content) {
    }

    /** Violations of Hookshard's fields, moved to the provider's fields they were read from. */
    private static List<Violation> translated(ProviderAdapter adapter, MappedEvent mapped,
                                              List<Violation> violations) {
        return violations.stream().map(violation -> new Violation(mapped.sourceOf(violation.pointer()),
                violation.message() + " (as " + field(adapter, violation.pointer()) + ")")).toList();
    }

    private static String field(ProviderAdapter adapter, String pointer) {
        if (pointer.equals("/provider_event_id")) {
            return "provider_event_id, written \"" + adapter.name() + ":\" and the id";
        }
        return pointer.isEmpty() || pointer.equals("/") ? "the mapped event" : pointer.substring(1);
    }

    private static List<Violation> at(String eventPointer, List<Violation> violations) {
        return violations.stream().map(violation -> new Violation(display(eventPointer + violation.pointer()),
                violation.message())).toList();
    }

    private static String display(String pointer) {
        return pointer.isEmpty() ? "/" : pointer;
    }

    private static WebhookRejection unmappable(ProviderAdapter adapter, List<Violation> violations) {
        Violation first = violations.get(0);
        return new WebhookRejection(422, "schema_violation", "the " + adapter.name() + " event cannot be taken: "
                + first.pointer() + " " + first.message(), violations);
    }

    private JsonNode parse(byte[] body) throws WebhookRejection {
        try {
            JsonNode node = reader.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw new WebhookRejection(400, "malformed_json", "the body is empty");
            }
            if (!node.isObject()) {
                throw new WebhookRejection(422, "schema_violation", "the body must be a JSON object",
                        List.of(new Violation("/", "must be an object")));
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new WebhookRejection(400, "malformed_json", "the body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new WebhookRejection(400, "malformed_json", "the body could not be read");
        }
    }
}
