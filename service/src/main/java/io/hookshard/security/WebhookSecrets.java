package io.hookshard.security;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * The signing secrets in force ({@code whsec_<base64>}); several at once while a secret is rotated. Never printed:
 * {@link #toString()} says only how many there are.
 */
public final class WebhookSecrets {
    private static final String PREFIX = "whsec_";

    private final List<byte[]> keys;
    private final List<byte[]> rawSecrets;

    private WebhookSecrets(List<byte[]> keys, List<byte[]> rawSecrets) {
        this.keys = keys;
        this.rawSecrets = rawSecrets;
    }

    /** Parses a comma-separated list; blanks are ignored, so an empty string gives no secret (fail closed). */
    public static WebhookSecrets parse(String commaSeparated) {
        List<byte[]> keys = new ArrayList<>();
        List<byte[]> rawSecrets = new ArrayList<>();
        int position = 0;
        for (String raw : commaSeparated.split(",")) {
            position++;
            String secret = raw.trim();
            if (secret.isEmpty()) {
                continue;
            }
            // The position, never the value, goes into the message: secrets must not reach logs.
            checkArgument(secret.startsWith(PREFIX), "webhook secret #%s does not start with %s", position, PREFIX);
            try {
                byte[] key = Base64.getDecoder().decode(secret.substring(PREFIX.length()));
                checkArgument(key.length >= 16, "webhook secret #%s is shorter than 16 bytes", position);
                keys.add(key);
                rawSecrets.add(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                if (e.getMessage() != null && e.getMessage().startsWith("webhook secret")) {
                    throw e;
                }
                throw new IllegalArgumentException("webhook secret #" + position + " is not valid base64 after "
                        + PREFIX);
            }
        }
        return new WebhookSecrets(List.copyOf(keys), List.copyOf(rawSecrets));
    }

    public boolean isEmpty() {
        return keys.isEmpty();
    }

    /** The HMAC keys of the Standard Webhooks scheme: the base64-decoded part after {@code whsec_}. */
    List<byte[]> keys() {
        return keys;
    }

    /** The HMAC keys of Stripe's scheme: the whole secret string, {@code whsec_} included. */
    List<byte[]> rawSecrets() {
        return rawSecrets;
    }

    @Override
    public String toString() {
        return "WebhookSecrets{" + keys.size() + " secret(s)}";
    }
}
