package io.hookshard.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;

/**
 * Text the shards can store as it came. PostgreSQL's text refuses U+0000, and an unpaired UTF-16 surrogate is no
 * Unicode text at all: Java writes it to the wire as '?', and PostgreSQL's json functions (->>, ::jsonb) refuse a
 * payload holding one as an escape, although json input lets it in. JSON allows both, so both are checked here.
 */
final class StorableText {
    static final String UNPAIRED = "must not contain an unpaired UTF-16 surrogate (e.g. \\ud800 without its low"
            + " half): it is not Unicode text";

    private StorableText() {
    }

    /**
     * Why a field's value cannot be stored in a text column as it is; null when it can. Surrogates need no check
     * here: a field is part of its payload, which {@link #unpairedSurrogatePointer} checks whole.
     */
    static String problem(String value) {
        return value.indexOf('\u0000') >= 0
                ? "must not contain U+0000 (\\u0000): the shards' text columns cannot hold it" : null;
    }

    /**
     * The JSON pointer of the first string (a member name or a value) in {@code json} holding an unpaired surrogate,
     * as a character or as a {@code \\uXXXX} escape; null when there is none. {@code json} must be valid JSON.
     */
    static String unpairedSurrogatePointer(JsonFactory factory, String json) {
        int offset = unpaired(json);
        return offset < 0 ? null : pointerOfStringAt(factory, json, offset);
    }

    /**
     * The index in JSON text of the first unpaired surrogate, or -1. Escapes count as what they stand for, but pair
     * only with escapes, as PostgreSQL pairs them: an escaped high half with an escaped low half, never with a
     * character (which the wire carries as UTF-8, where a lone half cannot exist).
     */
    private static int unpaired(String text) {
        int length = text.length();
        int i = 0;
        while (i < length) {
            char c = text.charAt(i);
            if (c == '\\') {
                if (i + 1 < length && text.charAt(i + 1) == 'u') {
                    int unit = hex4(text, i + 2);
                    if (unit >= Character.MIN_HIGH_SURROGATE && unit <= Character.MAX_HIGH_SURROGATE) {
                        int low = i + 7 < length && text.charAt(i + 6) == '\\' && text.charAt(i + 7) == 'u'
                                ? hex4(text, i + 8) : -1;
                        if (low < Character.MIN_LOW_SURROGATE || low > Character.MAX_LOW_SURROGATE) {
                            return i;
                        }
                        i += 12;
                    } else if (unit >= Character.MIN_LOW_SURROGATE && unit <= Character.MAX_LOW_SURROGATE) {
                        return i;
                    } else {
                        i += 6;
                    }
                } else {
                    i += 2;
                }
            } else if (Character.isHighSurrogate(c)) {
                if (i + 1 >= length || !Character.isLowSurrogate(text.charAt(i + 1))) {
                    return i;
                }
                i += 2;
            } else if (Character.isLowSurrogate(c)) {
                return i;
            } else {
                i++;
            }
        }
        return -1;
    }

    private static int hex4(String text, int from) {
        if (from + 4 > text.length()) {
            return -1;
        }
        int value = 0;
        for (int i = from; i < from + 4; i++) {
            char c = text.charAt(i);
            int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (digit < 0) {
                return -1;
            }
            value = value * 16 + digit;
        }
        return value;
    }

    /**
     * Outside strings valid JSON has neither backslashes nor surrogates, so the string that holds {@code offset} is
     * the last one starting at or before it. Runs only for a payload about to be refused.
     */
    private static String pointerOfStringAt(JsonFactory factory, String json, int offset) {
        String pointer = "/";
        try (JsonParser in = factory.createParser(json)) {
            for (JsonToken token = in.nextToken(); token != null; token = in.nextToken()) {
                if (in.currentTokenLocation().getCharOffset() > offset) {
                    break;
                }
                if (token == JsonToken.FIELD_NAME || token == JsonToken.VALUE_STRING) {
                    pointer = in.getParsingContext().pathAsPointer().toString();
                }
            }
        } catch (IOException e) {
            // not JSON after all: the root is as precise as it gets
        }
        return pointer.isEmpty() ? "/" : printable(pointer);
    }

    /** The pointer goes into answers and logs: a lone half in a member name is shown as U+FFFD. */
    private static String printable(String pointer) {
        StringBuilder out = new StringBuilder(pointer.length());
        for (int i = 0; i < pointer.length(); i++) {
            char c = pointer.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < pointer.length()
                    && Character.isLowSurrogate(pointer.charAt(i + 1))) {
                out.append(c).append(pointer.charAt(++i));
            } else {
                out.append(Character.isSurrogate(c) ? '\uFFFD' : c);
            }
        }
        return out.toString();
    }
}
