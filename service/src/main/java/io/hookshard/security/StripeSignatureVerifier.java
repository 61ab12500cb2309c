package io.hookshard.security;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Verifies Stripe's scheme: {@code Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>[,v1=...]} over
 * {@code t.body}, keyed with the whole {@code whsec_...} secret. Any v1 signature may match any secret in force;
 * other schemes in the header (v0) are ignored. Constant-time comparison, timestamp within the tolerance.
 */
public final class StripeSignatureVerifier implements SignatureVerifier {
    public static final String HEADER = "Stripe-Signature";
    private static final String ALGORITHM = "HmacSHA256";

    private final WebhookSecrets secrets;
    private final Duration tolerance;
    private final Clock clock;
    /** A Mac per request thread: Mac.getInstance searches the security providers on every call. */
    private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(StripeSignatureVerifier::newMac);

    public StripeSignatureVerifier(WebhookSecrets secrets, Duration tolerance, Clock clock) {
        this.secrets = secrets;
        this.tolerance = tolerance;
        this.clock = clock;
    }

    @Override
    public String verify(UnaryOperator<String> headers, byte[] body) throws SignatureException {
        if (secrets.isEmpty()) {
            throw new SignatureException("no_secret_configured",
                    "no webhook secret is configured, so no signature can be trusted");
        }
        String header = headers.apply(HEADER);
        if (header == null || header.isBlank()) {
            throw new SignatureException("missing_signature_headers", "the Stripe-Signature header is required");
        }
        String timestamp = null;
        List<byte[]> offered = new ArrayList<>();
        for (String item : header.split(",")) {
            int equals = item.indexOf('=');
            if (equals < 0) {
                continue;
            }
            String name = item.substring(0, equals).trim();
            String value = item.substring(equals + 1).trim();
            if (name.equals("t")) {
                timestamp = value;
            } else if (name.equals("v1")) {
                try {
                    offered.add(HexFormat.of().parseHex(value));
                } catch (IllegalArgumentException ignored) {
                    // a malformed entry cannot match; others still may
                }
            }
        }
        if (timestamp == null || offered.isEmpty()) {
            throw new SignatureException("malformed_signature", "Stripe-Signature needs t=<timestamp> and v1=<hex>");
        }
        long seconds;
        try {
            seconds = Long.parseLong(timestamp);
        } catch (NumberFormatException e) {
            throw new SignatureException("malformed_timestamp", "the t= of Stripe-Signature must be unix seconds");
        }
        Timestamps.checkWithin(seconds, clock, tolerance, "the t= of Stripe-Signature");
        for (byte[] secret : secrets.rawSecrets()) {
            byte[] expected = sign(macs.get(), secret, timestamp, body);
            for (byte[] signature : offered) {
                if (MessageDigest.isEqual(expected, signature)) {
                    return null;
                }
            }
        }
        throw new SignatureException("signature_mismatch", "no v1 signature matches the body and timestamp");
    }

    /** The Stripe-Signature header a provider would send for {@code body} at {@code timestamp}. */
    public static String header(String secret, long timestamp, byte[] body) {
        return "t=" + timestamp + ",v1=" + HexFormat.of().formatHex(
                sign(newMac(), secret.getBytes(StandardCharsets.UTF_8), Long.toString(timestamp), body));
    }

    private static Mac newMac() {
        try {
            return Mac.getInstance(ALGORITHM);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** Keys {@code mac} afresh, so a Mac left mid-message by an earlier failure signs nothing of it. */
    private static byte[] sign(Mac mac, byte[] secret, String timestamp, byte[] body) {
        try {
            mac.init(new SecretKeySpec(secret, ALGORITHM));
            mac.update(timestamp.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) '.');
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
