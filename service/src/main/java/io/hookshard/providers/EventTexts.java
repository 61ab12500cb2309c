package io.hookshard.providers;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.hookshard.core.Utf8Body;
import io.hookshard.core.WebhookRejection;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The provider's own text of each event in a body: cut out of the raw bytes by offset, so that what is stored is
 * what the provider sent and signed, key order, number formats and all. A body that is not plain UTF-8 (JSON parsers
 * also read UTF-16 and UTF-32) gives the parsed events re-serialized instead, as for Hookshard's own webhooks.
 */
final class EventTexts {
    private final JsonFactory json = new JsonFactory();

    /** @param pointers where the events are; each must point at an object of {@code parsed} */
    List<String> of(byte[] body, JsonNode parsed, List<String> pointers) throws WebhookRejection {
        if (Utf8Body.asSent(body) == null) {
            return pointers.stream().map(pointer -> parsed.at(pointer).toString()).toList();
        }
        Map<String, String> texts = new HashMap<>();
        Set<String> wanted = Set.copyOf(pointers);
        try (JsonParser in = json.createParser(body)) {
            while (in.nextToken() != null) {
                if (in.currentToken() != JsonToken.START_OBJECT) {
                    continue;
                }
                // At START_OBJECT the context is the new object's; its parent says where the object is.
                String here = in.getParsingContext().getParent().pathAsPointer().toString();
                if (wanted.contains(here)) {
                    int start = (int) in.currentTokenLocation().getByteOffset();
                    in.skipChildren();
                    int end = (int) in.currentLocation().getByteOffset();
                    texts.put(here, new String(body, start, end - start, StandardCharsets.UTF_8));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the body was parsed once already", e);
        }
        return pointers.stream().map(pointer -> {
            String text = texts.get(pointer);
            if (text == null) {
                throw new IllegalStateException("no object at " + pointer);
            }
            return text;
        }).toList();
    }

}
