package io.hookshard.providers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hookshard.core.EventType;
import io.hookshard.core.Rfc3339;
import io.hookshard.core.Violation;

import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A provider event in Hookshard's terms: the fields of the order-payment or chargeback schema, each read from a JSON
 * pointer into the provider's event and remembered with it, so that whatever Hookshard's schema or the consumers'
 * decoder refuses is reported at the provider's own field. A missing field is collected, not thrown, so one answer
 * names them all. The fields are written in the schema's order whatever order they were set in: the same event maps
 * to the same text every time, and that text is what the inbox compares across redeliveries.
 */
public final class MappedEvent {
    private static final List<String> ORDER_FIELDS = List.of("provider_event_id", "user_id", "order_id", "status",
            "amount_minor", "currency", "occurred_at");
    private static final List<String> CHARGEBACK_FIELDS = List.of("provider_event_id", "order_id", "dispute_id",
            "status", "reason", "amount_minor", "currency", "occurred_at");

    private static final Pattern ASCII_LETTERS = Pattern.compile("[A-Za-z]+");

    private final EventType type;
    private final JsonNode source;
    private final Map<String, JsonNode> values = new HashMap<>();
    private final Map<String, String> pointers = new LinkedHashMap<>();
    private final List<Violation> violations = new ArrayList<>();

    private MappedEvent(EventType type, JsonNode source) {
        this.type = type;
        this.source = source;
    }

    /** An order payment event read from {@code source}, the provider's event. */
    public static MappedEvent order(JsonNode source) {
        return new MappedEvent(EventType.ORDER_PAYMENT, source);
    }

    /** A chargeback event read from {@code source}, the provider's event. */
    public static MappedEvent chargeback(JsonNode source) {
        return new MappedEvent(EventType.CHARGEBACK, source);
    }

    /** {@code field} is the string at {@code pointer}; an integer is taken as its digits (some ids are numbers). */
    public MappedEvent text(String field, String pointer) {
        String text = nonEmptyText(field, pointer);
        if (text != null) {
            set(field, pointer, JsonNodeFactory.instance.textNode(text));
        }
        return this;
    }

    /**
     * {@code field} is the texts at {@code pointers} joined by {@code separator}, e.g. Adyen's eventCode:pspReference.
     * Each part must be a text of its own: an empty or missing one would make the ids of different events equal.
     */
    public MappedEvent joined(String field, String separator, String... pointers) {
        List<String> parts = new ArrayList<>();
        for (String pointer : pointers) {
            parts.add(nonEmptyText(field, pointer));
        }
        if (!parts.contains(null)) {
            set(field, pointers[pointers.length - 1], JsonNodeFactory.instance.textNode(String.join(separator, parts)));
        }
        return this;
    }

    /** {@code field} is the integer at {@code pointer}. */
    public MappedEvent integer(String field, String pointer) {
        JsonNode node = present(field, pointer);
        if (node != null) {
            if (node.isIntegralNumber() && node.canConvertToLong()) {
                set(field, pointer, JsonNodeFactory.instance.numberNode(node.asLong()));
            } else {
                violation(pointer, "must be an integer (it gives " + field + ")");
            }
        }
        return this;
    }

    /** {@code field} is the currency code at {@code pointer}, upper-cased as ISO 4217 writes it (Stripe: "eur"). */
    public MappedEvent currency(String field, String pointer) {
        JsonNode node = present(field, pointer);
        if (node != null) {
            if (node.isTextual()) {
                // Only ASCII letters are upper-cased: toUpperCase would turn "ßd" into a valid-looking "SSD".
                String code = node.asText();
                set(field, pointer, JsonNodeFactory.instance.textNode(ASCII_LETTERS.matcher(code).matches()
                        ? code.toUpperCase(Locale.ROOT) : code));
            } else {
                violation(pointer, "must be a currency code (it gives " + field + ")");
            }
        }
        return this;
    }

    /** {@code field} is the RFC 3339 text of the unix seconds at {@code pointer} (Stripe's {@code created}). */
    public MappedEvent epochSeconds(String field, String pointer) {
        JsonNode node = present(field, pointer);
        if (node != null) {
            try {
                if (!node.isIntegralNumber() || !node.canConvertToLong()) {
                    throw new DateTimeException("not an integer");
                }
                set(field, pointer, JsonNodeFactory.instance.textNode(
                        Rfc3339.format(Instant.ofEpochSecond(node.asLong()))));
            } catch (DateTimeException e) {
                violation(pointer, "must be unix seconds (it gives " + field + ")");
            }
        }
        return this;
    }

    /** {@code field} is {@code value}, which the adapter derived from what is at {@code pointer} (a status). */
    public MappedEvent value(String field, String value, String pointer) {
        set(field, pointer, JsonNodeFactory.instance.textNode(value));
        return this;
    }

    public EventType type() {
        return type;
    }

    /** Hookshard's fields, in the schema's order. */
    public ObjectNode fields() {
        ObjectNode fields = JsonNodeFactory.instance.objectNode();
        for (String name : type == EventType.ORDER_PAYMENT ? ORDER_FIELDS : CHARGEBACK_FIELDS) {
            if (values.containsKey(name)) {
                fields.set(name, values.get(name));
            }
        }
        values.forEach(fields::putIfAbsent);
        return fields;
    }

    /** What could not be read, at pointers into the provider's event; empty when every field was. */
    public List<Violation> violations() {
        return List.copyOf(violations);
    }

    /**
     * Where in the provider's event a pointer into Hookshard's fields came from: {@code /currency} becomes
     * {@code /data/object/currency}; a pointer to no mapped field (the whole object) stays empty, the event itself.
     */
    public String sourceOf(String fieldPointer) {
        String field = fieldPointer.startsWith("/") ? fieldPointer.substring(1) : fieldPointer;
        int slash = field.indexOf('/');
        String pointer = pointers.get(slash < 0 ? field : field.substring(0, slash));
        return pointer != null ? pointer : "";
    }

    /** The string or integer at {@code pointer} as text, or null (and a violation) if it is neither, or empty. */
    private String nonEmptyText(String field, String pointer) {
        JsonNode node = present(field, pointer);
        if (node == null) {
            return null;
        }
        if (!node.isTextual() && !node.isIntegralNumber()) {
            violation(pointer, "must be a string (it gives " + field + ")");
            return null;
        }
        if (node.asText().isEmpty()) {
            violation(pointer, "must not be empty (it gives " + field + ")");
            return null;
        }
        return node.asText();
    }

    private JsonNode present(String field, String pointer) {
        JsonNode node = source.at(pointer);
        if (node.isMissingNode() || node.isNull()) {
            violation(pointer, "is missing; the mapping takes " + field + " from it");
            return null;
        }
        return node;
    }

    private void set(String field, String pointer, JsonNode value) {
        values.put(field, value);
        pointers.put(field, pointer);
    }

    private void violation(String pointer, String message) {
        violations.add(new Violation(pointer, message));
    }
}
