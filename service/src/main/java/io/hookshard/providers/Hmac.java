package io.hookshard.providers;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.List;

/** HMAC-SHA256 and the constant-time check of an offered signature against every key in force (rotation). */
final class Hmac {
    private static final String ALGORITHM = "HmacSHA256";

    private Hmac() {
    }

    static byte[] sha256(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** Whether {@code offered} is the signature of {@code message} under any of {@code keys}. */
    static boolean matchesAny(List<byte[]> keys, byte[] message, byte[] offered) {
        boolean matched = false;
        for (byte[] key : keys) {
            // Every key is tried, so the time taken says nothing about which one matched.
            matched |= MessageDigest.isEqual(sha256(key, message), offered);
        }
        return matched;
    }
}
