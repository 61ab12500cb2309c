package io.hookshard.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.UUID;

/**
 * Envelope <-> Kafka record value (UTF-8 JSON). Streamed both ways: the payload is copied as text, never parsed
 * into a tree here, since consumers decode every record and the payload is most of its bytes.
 */
public final class EnvelopeCodec {
    /**
     * Ingest's parsers take bodies nested as deep as Jackson's default limit; the envelope holds the payload one level
     * down, so a body ingest accepted at that limit must still decode here, or it would be dead-lettered after its 202.
     */
    private static final int MAX_DEPTH = StreamReadConstraints.DEFAULT_MAX_DEPTH + 1;
    private final JsonFactory json = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
            .build();

    /**
     * The envelope's fields are written by the generator and the payload texts spliced in as their UTF-8 bytes:
     * through the generator, a ~1 KiB payload was written out one character at a time (3.5% of the ingest JVM's CPU
     * samples at 5,000 webhooks/s).
     */
    public byte[] encode(Envelope envelope) {
        byte[] payload = utf8(envelope.payload());
        byte[] providerPayload = envelope.provider() == null ? null : utf8(envelope.providerPayload());
        int payloadAt;
        int providerPayloadAt = 0;
        byte[] fields;
        try (ByteArrayBuilder bytes = new ByteArrayBuilder(256);
             JsonGenerator out = json.createGenerator(bytes)) {
            out.writeStartObject();
            out.writeStringField("event_id", envelope.eventId().toString());
            out.writeStringField("key", envelope.key());
            out.writeStringField("type", envelope.type().wireName());
            if (envelope.webhookId() != null) {
                out.writeStringField("webhook_id", envelope.webhookId());
            }
            out.writeStringField("received_at", Rfc3339.format(envelope.receivedAt()));
            if (envelope.schema() != null) {
                out.writeStringField("schema", envelope.schema());
            }
            payloadAt = rawValueAt(out, bytes, "payload");
            // Only for a provider's event, so Hookshard's own envelopes are written exactly as before.
            if (envelope.provider() != null) {
                out.writeStringField("provider", envelope.provider());
                if (envelope.mapping() != null) {
                    out.writeStringField("mapping", envelope.mapping());
                }
                providerPayloadAt = rawValueAt(out, bytes, "provider_payload");
            }
            out.writeEndObject();
            out.flush();
            fields = bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        byte[] value = new byte[fields.length + payload.length + (providerPayload == null ? 0 : providerPayload.length)];
        int written = splice(fields, 0, payloadAt, value, 0);
        System.arraycopy(payload, 0, value, written, payload.length);
        written += payload.length;
        if (providerPayload != null) {
            written = splice(fields, payloadAt, providerPayloadAt, value, written);
            System.arraycopy(providerPayload, 0, value, written, providerPayload.length);
            written += providerPayload.length;
            splice(fields, providerPayloadAt, fields.length, value, written);
        } else {
            splice(fields, payloadAt, fields.length, value, written);
        }
        return value;
    }

    /** Writes the field's name and its separator, and returns where in the output its raw value goes. */
    private static int rawValueAt(JsonGenerator out, ByteArrayBuilder bytes, String name) throws IOException {
        out.writeFieldName(name);
        out.writeRawValue("");
        out.flush();
        return bytes.size();
    }

    /**
     * String.getBytes writes an unpaired surrogate as '?', which would change the text without a word; it is refused,
     * as the generator refused it.
     */
    private static byte[] utf8(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (Character.isSurrogate(text.charAt(i))) {
                try {
                    ByteBuffer encoded = StandardCharsets.UTF_8.newEncoder().encode(CharBuffer.wrap(text));
                    return Arrays.copyOfRange(encoded.array(), encoded.arrayOffset() + encoded.position(),
                            encoded.arrayOffset() + encoded.limit());
                } catch (CharacterCodingException e) {
                    throw new IllegalArgumentException("an envelope's text holds an unpaired UTF-16 surrogate at"
                            + " character " + i + " or after; UTF-8 cannot carry it", e);
                }
            }
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static int splice(byte[] from, int start, int end, byte[] into, int at) {
        System.arraycopy(from, start, into, at, end - start);
        return at + end - start;
    }

    /**
     * Fields this release does not know are skipped, so that a newer producer's envelopes still decode.
     *
     * @throws InvalidEventException when the bytes are not an envelope; such a record can never succeed
     */
    public Envelope decode(byte[] value) throws InvalidEventException {
        if (value == null) {
            throw new InvalidEventException("undecodable_envelope", "record has no value");
        }
        requireUtf8(value);
        try (JsonParser in = json.createParser(value)) {
            if (in.nextToken() != JsonToken.START_OBJECT) {
                throw invalid("not a JSON object");
            }
            String eventId = null;
            String key = null;
            String type = null;
            String webhookId = null;
            String receivedAt = null;
            String schema = null;
            String payload = null;
            String provider = null;
            String mapping = null;
            String providerPayload = null;
            while (in.nextToken() == JsonToken.FIELD_NAME) {
                String name = in.currentName();
                JsonToken token = in.nextToken();
                switch (name) {
                    case "event_id" -> eventId = text(in, name);
                    case "key" -> key = text(in, name);
                    case "type" -> type = text(in, name);
                    case "webhook_id" -> webhookId = token == JsonToken.VALUE_NULL ? null : text(in, name);
                    case "received_at" -> receivedAt = text(in, name);
                    case "schema" -> schema = token == JsonToken.VALUE_NULL ? null : text(in, name);
                    case "payload" -> payload = object(in, value);
                    case "provider" -> provider = token == JsonToken.VALUE_NULL ? null : text(in, name);
                    case "mapping" -> mapping = token == JsonToken.VALUE_NULL ? null : text(in, name);
                    case "provider_payload" -> providerPayload = token == JsonToken.VALUE_NULL ? null
                            : object(in, value);
                    default -> in.skipChildren();
                }
            }
            if (in.nextToken() != null) {
                throw invalid("trailing content after the envelope");
            }
            if ((provider == null) != (providerPayload == null)) {
                throw invalid("provider and provider_payload go together");
            }
            return new Envelope(uuid(required(eventId, "event_id")), required(key, "key"),
                    eventType(required(type, "type")), webhookId, instant(required(receivedAt, "received_at")),
                    schema, required(payload, "payload"), provider, mapping, providerPayload);
        } catch (IOException e) {
            throw invalid(e.getMessage());
        }
    }

    /**
     * Envelopes are UTF-8 without a byte order mark. The JSON parser would also detect UTF-16 and UTF-32, but the
     * payload is cut out of the value by byte offset, which only UTF-8 makes safe; such a record is undecodable.
     */
    private static void requireUtf8(byte[] value) throws InvalidEventException {
        boolean byteOrderMark = value.length >= 2 && ((value[0] & 0xff) == 0xfe || (value[0] & 0xff) == 0xff
                || (value[0] & 0xff) == 0xef && (value[1] & 0xff) == 0xbb);
        boolean wideEncoding = value.length >= 2 && (value[0] == 0 || value[1] == 0);
        if (byteOrderMark || wideEncoding) {
            throw invalid("the value is not UTF-8 (a byte order mark or a UTF-16/UTF-32 encoding)");
        }
    }

    private static String text(JsonParser in, String name) throws IOException, InvalidEventException {
        if (in.currentToken() != JsonToken.VALUE_STRING) {
            throw invalid(name + " is not a string");
        }
        return in.getText();
    }

    /** The raw text of the object at the parser, taken from the input bytes by offset. */
    private static String object(JsonParser in, byte[] value) throws IOException, InvalidEventException {
        if (in.currentToken() != JsonToken.START_OBJECT) {
            throw invalid(in.currentName() + " is not a JSON object");
        }
        int start = (int) in.currentTokenLocation().getByteOffset();
        in.skipChildren();
        int end = (int) in.currentLocation().getByteOffset();
        return new String(value, start, end - start, StandardCharsets.UTF_8);
    }

    private static String required(String value, String name) throws InvalidEventException {
        if (value == null) {
            throw invalid("missing " + name);
        }
        return value;
    }

    private static UUID uuid(String text) throws InvalidEventException {
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            throw invalid("event_id is not a UUID: " + text);
        }
    }

    private static EventType eventType(String text) throws InvalidEventException {
        try {
            return EventType.fromWireName(text);
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
    }

    private static Instant instant(String text) throws InvalidEventException {
        try {
            return Rfc3339.parse(text);
        } catch (DateTimeParseException e) {
            throw invalid("received_at is not an instant: " + text);
        }
    }

    private static InvalidEventException invalid(String detail) {
        return new InvalidEventException("undecodable_envelope", "not an envelope: " + detail);
    }
}
