package io.hookshard.security;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Verifies the Standard Webhooks scheme: {@code webhook-signature} holds space-separated {@code v1,<base64>}
 * HMAC-SHA256 signatures over {@code id.timestamp.body}. A request passes when any listed signature matches any
 * secret in force and the timestamp lies within the tolerance. Runs over the raw bytes, before any parsing, and
 * compares in constant time.
 */
public final class StandardWebhookVerifier implements SignatureVerifier {
    /** Compiled once: String.split compiles a pattern of more than one character on every call. */
    private static final Pattern SPACES = Pattern.compile(" +");
    private static final String ALGORITHM = "HmacSHA256";

    private final WebhookSecrets secrets;
    private final Duration tolerance;
    private final Clock clock;
    /** A Mac per request thread: Mac.getInstance searches the security providers on every call. */
    private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(StandardWebhookVerifier::newMac);

    public StandardWebhookVerifier(WebhookSecrets secrets, Duration tolerance, Clock clock) {
        this.secrets = secrets;
        this.tolerance = tolerance;
        this.clock = clock;
    }

    @Override
    public String verify(UnaryOperator<String> headers, byte[] body) throws SignatureException {
        String id = headers.apply("webhook-id");
        verify(id, headers.apply("webhook-timestamp"), headers.apply("webhook-signature"), body);
        return id;
    }

    public void verify(String id, String timestamp, String signatureHeader, byte[] body) throws SignatureException {
        if (secrets.isEmpty()) {
            throw new SignatureException("no_secret_configured",
                    "no webhook secret is configured, so no signature can be trusted");
        }
        if (isBlank(id) || isBlank(timestamp) || isBlank(signatureHeader)) {
            throw new SignatureException("missing_signature_headers",
                    "webhook-id, webhook-timestamp and webhook-signature headers are required");
        }
        Timestamps.checkWithin(parseTimestamp(timestamp), clock, tolerance, "webhook-timestamp");
        List<byte[]> offered = offeredSignatures(signatureHeader);
        for (byte[] key : secrets.keys()) {
            byte[] expected = sign(macs.get(), key, id, timestamp, body);
            for (byte[] signature : offered) {
                if (MessageDigest.isEqual(expected, signature)) {
                    return;
                }
            }
        }
        throw new SignatureException("signature_mismatch", "no webhook-signature matches the body and headers");
    }

    /** The {@code v1,<base64>} signature of a message, as a provider would send it. */
    public static String signature(String secret, String id, long timestamp, byte[] body) {
        byte[] key = WebhookSecrets.parse(secret).keys().get(0);
        return "v1," + Base64.getEncoder().encodeToString(sign(newMac(), key, id, Long.toString(timestamp), body));
    }

    private static Mac newMac() {
        try {
            return Mac.getInstance(ALGORITHM);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** Keys {@code mac} afresh, so a Mac left mid-message by an earlier failure signs nothing of it. */
    static byte[] sign(Mac mac, byte[] key, String id, String timestamp, byte[] body) {
        try {
            mac.init(new SecretKeySpec(key, ALGORITHM));
            mac.update(id.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) '.');
            mac.update(timestamp.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) '.');
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    private static long parseTimestamp(String timestamp) throws SignatureException {
        try {
            return Long.parseLong(timestamp.trim());
        } catch (NumberFormatException e) {
            throw new SignatureException("malformed_timestamp", "webhook-timestamp must be unix seconds");
        }
    }

    private static List<byte[]> offeredSignatures(String header) throws SignatureException {
        List<byte[]> signatures = new ArrayList<>();
        for (String part : SPACES.split(header.trim())) {
            int comma = part.indexOf(',');
            if (comma < 0) {
                continue;
            }
            if (!part.substring(0, comma).equals("v1")) {
                continue;
            }
            try {
                signatures.add(Base64.getDecoder().decode(part.substring(comma + 1)));
            } catch (IllegalArgumentException ignored) {
                // a malformed entry cannot match; others in the list still may
            }
        }
        if (signatures.isEmpty()) {
            throw new SignatureException("malformed_signature", "webhook-signature holds no v1,<base64> signature");
        }
        return signatures;
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
