package io.hookshard.chaos;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;

/** Webhook bodies as a provider writes them, padded to a size with a field the schemas do not name. */
final class Bodies {
    /** An event and the exact bytes that carry it; retries and resends send these bytes again. */
    record Sealed(PlannedEvent event, byte[] body) {
    }

    private static final char[] ALPHABET =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_".toCharArray();
    private static final JsonFactory JSON = new JsonFactory();

    private final Random random;

    Bodies(Random random) {
        this.random = random;
    }

    /** The body of {@code draft}, about {@code targetSize} bytes long, and the event with its digest and length. */
    Sealed seal(PlannedEvent draft, int targetSize) {
        // What the padding field costs besides its characters; what is left of the target goes inside its quotes.
        int withOneCharacter = write(draft, "x").length;
        byte[] body = write(draft, padding(Math.max(1, targetSize - withOneCharacter + 1)));
        PlannedEvent event = new PlannedEvent(draft.kind(), draft.providerEventId(), draft.userId(), draft.orderId(),
                draft.disputeId(), draft.status(), draft.amountMinor(), draft.currency(), draft.reason(),
                draft.occurredAt(), digest(body), body.length);
        return new Sealed(event, body);
    }

    /** The first 16 bytes of the SHA-256, in hex: what {@code inbox.digest} holds for a payload. */
    static String digest(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(Arrays.copyOf(MessageDigest.getInstance("SHA-256").digest(bytes), 16));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private String padding(int length) {
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return new String(chars);
    }

    private static byte[] write(PlannedEvent event, String padding) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(padding.length() + 256);
        try (JsonGenerator out = JSON.createGenerator(bytes)) {
            out.writeStartObject();
            out.writeStringField("provider_event_id", event.providerEventId());
            if (event.kind() == EventKind.ORDER) {
                out.writeStringField("user_id", event.userId());
                out.writeStringField("order_id", event.orderId());
            } else {
                out.writeStringField("order_id", event.orderId());
                out.writeStringField("dispute_id", event.disputeId());
            }
            out.writeStringField("status", event.status());
            if (event.reason() != null) {
                out.writeStringField("reason", event.reason());
            }
            out.writeNumberField("amount_minor", event.amountMinor());
            out.writeStringField("currency", event.currency());
            out.writeStringField("occurred_at", event.occurredAt());
            out.writeStringField("padding", padding);
            out.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }
}
