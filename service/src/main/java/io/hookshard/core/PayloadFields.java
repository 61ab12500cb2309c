package io.hookshard.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.List;

/**
 * The top-level fields a write needs, read from a payload's JSON text in one streaming pass that skips the rest
 * (the bulk of a payload). A missing field, one of the wrong JSON type, or text the shards cannot store as it came
 * (see {@link StorableText}), in those fields or anywhere in the payload, is a schema violation.
 */
final class PayloadFields {
    private final JsonFactory json;
    private final List<String> names;

    PayloadFields(JsonFactory json, String... names) {
        this.json = json;
        this.names = List.of(names);
    }

    Values read(String payload) throws InvalidEventException {
        String[] texts = new String[names.size()];
        JsonToken[] tokens = new JsonToken[names.size()];
        try (JsonParser in = json.createParser(payload)) {
            if (in.nextToken() != JsonToken.START_OBJECT) {
                throw violation("/", "must be an object");
            }
            while (in.nextToken() == JsonToken.FIELD_NAME) {
                int index = names.indexOf(in.currentName());
                JsonToken token = in.nextToken();
                if (index >= 0 && token.isScalarValue()) {
                    texts[index] = in.getText();
                    tokens[index] = token;
                } else {
                    in.skipChildren();
                }
            }
        } catch (IOException e) {
            throw violation("/", "not JSON: " + e.getMessage());
        }
        String unpaired = StorableText.unpairedSurrogatePointer(json, payload);
        if (unpaired != null) {
            throw violation(unpaired, StorableText.UNPAIRED);
        }
        return new Values(texts, tokens);
    }

    final class Values {
        private final String[] texts;
        private final JsonToken[] tokens;

        private Values(String[] texts, JsonToken[] tokens) {
            this.texts = texts;
            this.tokens = tokens;
        }

        String string(String name) throws InvalidEventException {
            int index = names.indexOf(name);
            if (tokens[index] != JsonToken.VALUE_STRING) {
                throw violation("/" + name, "must be a string");
            }
            String problem = StorableText.problem(texts[index]);
            if (problem != null) {
                throw violation("/" + name, problem);
            }
            return texts[index];
        }

        long integer(String name) throws InvalidEventException {
            int index = names.indexOf(name);
            if (tokens[index] == JsonToken.VALUE_NUMBER_INT) {
                try {
                    return Long.parseLong(texts[index]);
                } catch (NumberFormatException e) {
                    // out of range: falls through to the violation
                }
            }
            throw violation("/" + name, "must be an integer");
        }
    }

    static InvalidEventException violation(String pointer, String message) {
        return new InvalidEventException("schema_violation", "payload " + pointer + " " + message,
                List.of(new Violation(pointer, message)));
    }
}
