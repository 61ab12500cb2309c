package io.hookshard.providers;

import com.fasterxml.jackson.core.JsonPointer;

import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * How one provider's adapter is configured. {@code secrets} is the configured text, comma-separated, each provider
 * reading its own kind of secret; blank means none, and the endpoint refuses everything. The pointers say where the
 * user id and the order id are in the provider's events; null takes the adapter's default.
 */
public record ProviderSettings(String secrets, String userId, String orderId, String disputeOrderId,
                               Duration timestampTolerance, Clock clock) {

    public ProviderSettings {
        secrets = secrets == null ? "" : secrets;
        checkPointer("userId", userId);
        checkPointer("orderId", orderId);
        checkPointer("disputeOrderId", disputeOrderId);
    }

    /** No secret and the defaults: what a provider missing from the configuration gets. */
    public static ProviderSettings none(Duration timestampTolerance, Clock clock) {
        return new ProviderSettings("", null, null, null, timestampTolerance, clock);
    }

    String userIdOr(String fallback) {
        return userId != null ? userId : fallback;
    }

    String orderIdOr(String fallback) {
        return orderId != null ? orderId : fallback;
    }

    String disputeOrderIdOr(String fallback) {
        return disputeOrderId != null ? disputeOrderId : fallback;
    }

    /** The configured secrets, trimmed, blanks dropped. */
    List<String> secretList() {
        return Arrays.stream(secrets.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static void checkPointer(String name, String pointer) {
        if (pointer == null) {
            return;
        }
        try {
            if (!pointer.startsWith("/")) {
                throw new IllegalArgumentException("starts without /");
            }
            JsonPointer.compile(pointer);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + " must be a JSON pointer such as /data/object/metadata/user_id,"
                    + " not " + pointer);
        }
    }

    @Override
    public String toString() {
        // Never the secrets themselves.
        return "ProviderSettings{" + secretList().size() + " secret(s), userId=" + userId + ", orderId=" + orderId
                + ", disputeOrderId=" + disputeOrderId + "}";
    }
}
