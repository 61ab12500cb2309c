package io.hookshard.chaos;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;

/**
 * Standard Webhooks signatures ({@code v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">}, keyed with the base64
 * part of a {@code whsec_} secret), written from the specification rather than taken from the service.
 */
final class Signer {
    /** The run's own secret; it signs nothing outside a chaos run. */
    static final String SECRET = "whsec_" + Base64.getEncoder()
            .encodeToString("hookshard-chaos-run-secret-not-for-prod".getBytes(StandardCharsets.UTF_8));

    private final SecretKeySpec key;

    Signer(String secret) {
        if (!secret.startsWith("whsec_")) {
            throw new IllegalArgumentException("a Standard Webhooks secret starts with whsec_");
        }
        this.key = new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256");
    }

    String signature(String webhookId, long timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update((webhookId + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JVM has HmacSHA256", e);
        }
    }
}
