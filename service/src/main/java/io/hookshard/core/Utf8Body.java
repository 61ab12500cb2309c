package io.hookshard.core;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A JSON body's text as sent. JSON on the wire is UTF-8 (RFC 8259), but parsers also read UTF-16 and UTF-32, and
 * Jackson reads some malformed UTF-8 (an overlong {@code C0 AF} for '/') without a word: such a body would be stored
 * re-serialized, not as the provider signed it, so it is refused like any other malformed byte.
 */
public final class Utf8Body {
    private Utf8Body() {
    }

    /**
     * The body's UTF-8 text, to be stored as sent; or null if it must be stored re-serialized: UTF-16 or UTF-32 (a
     * JSON text begins with an ASCII character, so one of those has a zero among its first two bytes, or their byte
     * order mark), UTF-8 with a byte order mark, or a text holding U+0000.
     */
    public static String asSent(byte[] body) throws WebhookRejection {
        if (body.length >= 2) {
            int first = body[0] & 0xFF;
            int second = body[1] & 0xFF;
            boolean utf16Mark = first == 0xFE && second == 0xFF || first == 0xFF && second == 0xFE;
            if (first == 0 || second == 0 || utf16Mark) {
                return null;
            }
        }
        if (asciiWithoutNul(body)) {
            // Most bodies: one copy, where the checking decoder fills a char buffer and then copies it again.
            return new String(body, StandardCharsets.ISO_8859_1);
        }
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
            return text.indexOf('\u0000') < 0 && !text.startsWith("\uFEFF") ? text : null;
        } catch (CharacterCodingException e) {
            throw new WebhookRejection(400, "malformed_json", "the body is not valid UTF-8");
        }
    }

    /** Only bytes 0x01-0x7F: valid UTF-8, the same text in Latin-1, no U+0000 and no byte order mark. */
    private static boolean asciiWithoutNul(byte[] body) {
        for (byte b : body) {
            if (b <= 0) {
                return false;
            }
        }
        return true;
    }
}
