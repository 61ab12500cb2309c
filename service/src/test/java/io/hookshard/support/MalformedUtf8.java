package io.hookshard.support;

import java.nio.charset.StandardCharsets;

/** Bodies with a malformed UTF-8 sequence that Jackson nevertheless reads. */
public final class MalformedUtf8 {
    private MalformedUtf8() {
    }

    /** {@code text} in UTF-8, its first U+0001 replaced by the overlong two-byte form of '/' (C0 AF). */
    public static byte[] overlongSlashFor(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int marker = new String(bytes, StandardCharsets.ISO_8859_1).indexOf('\u0001');
        if (marker < 0) {
            throw new IllegalArgumentException("no U+0001 to replace");
        }
        byte[] malformed = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, malformed, 0, marker);
        malformed[marker] = (byte) 0xC0;
        malformed[marker + 1] = (byte) 0xAF;
        System.arraycopy(bytes, marker + 1, malformed, marker + 2, bytes.length - marker - 1);
        return malformed;
    }
}
