package io.hookshard.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.hash.Hashing;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The JSON Schemas (draft 2020-12) of the webhook bodies, shipped as resources under {@code /schemas}. */
public final class PayloadSchemas {
    private final Map<EventType, JsonSchema> schemas = new EnumMap<>(EventType.class);
    private final Map<EventType, byte[]> documents = new EnumMap<>(EventType.class);
    private final Map<EventType, String> versions = new EnumMap<>(EventType.class);
    private final ObjectMapper mapper = new ObjectMapper();

    public PayloadSchemas() {
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder()
                // 2020-12 treats "format" as an annotation; occurred_at must really be RFC 3339.
                .formatAssertionsEnabled(true)
                .pathType(PathType.JSON_POINTER)
                .build();
        for (EventType type : EventType.values()) {
            byte[] document = read(type.schemaName());
            documents.put(type, document);
            versions.put(type, type.schemaName() + "@" + Hashing.sha256().hashBytes(document).toString().substring(0, 16));
            schemas.put(type, factory.getSchema(new java.io.ByteArrayInputStream(document), config));
        }
    }

    /** Every violation of {@code type}'s schema, sorted by location; empty when the payload is valid. */
    public List<Violation> validate(EventType type, JsonNode payload) {
        Set<ValidationMessage> messages = schemas.get(type).validate(payload);
        return messages.stream()
                .map(message -> new Violation(pointer(message), message.getError()))
                .sorted(Comparator.comparing(Violation::pointer).thenComparing(Violation::message))
                .toList();
    }

    /** Every violation of {@code type}'s schema in a payload's JSON text. */
    public List<Violation> validate(EventType type, String payload) {
        try {
            return validate(type, mapper.readTree(payload));
        } catch (JsonProcessingException e) {
            return List.of(new Violation("/", "not JSON: " + e.getOriginalMessage()));
        }
    }

    /**
     * The version of {@code type}'s schema: its name and a digest of the document. Envelopes carry the version ingest
     * checked them against, so that consumers of the same version need not check again.
     */
    public String version(EventType type) {
        return versions.get(type);
    }

    /** The schema document as shipped, or null for an unknown name. */
    public byte[] document(String schemaName) {
        for (EventType type : EventType.values()) {
            if (type.schemaName().equals(schemaName)) {
                return documents.get(type).clone();
            }
        }
        return null;
    }

    private static String pointer(ValidationMessage message) {
        String location = message.getInstanceLocation().toString();
        String property = message.getProperty();
        // A missing required property is reported at its parent; point at the property itself.
        if ("required".equals(message.getType()) && property != null) {
            return (location.equals("/") || location.isEmpty() ? "" : location) + "/" + property;
        }
        return location.isEmpty() ? "/" : location;
    }

    private static byte[] read(String name) {
        try (InputStream in = PayloadSchemas.class.getResourceAsStream("/schemas/" + name + ".json")) {
            if (in == null) {
                throw new IllegalStateException("schema resource /schemas/" + name + ".json is missing");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
