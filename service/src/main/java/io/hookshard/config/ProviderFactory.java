package io.hookshard.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.hookshard.providers.ProviderSettings;
import jakarta.validation.constraints.Pattern;

import java.time.Clock;
import java.time.Duration;

/**
 * One provider posting its own format to {@code POST /webhooks/<name>}: its secrets (from an environment variable,
 * never the file) and where its events hold the user id and the order ids, as JSON pointers; an unset pointer takes
 * the adapter's default (see README, "Providers' own webhooks").
 */
public class ProviderFactory {
    private static final String POINTER = "(/.*)?";
    private static final String POINTER_MESSAGE = "must be a JSON pointer, such as /data/object/metadata/user_id";

    /** Comma-separated, of the provider's kind (Stripe whsec_, Adyen hex HMAC keys, Checkout.com secret keys). */
    private String secrets = "";

    @Pattern(regexp = POINTER, message = POINTER_MESSAGE)
    private String userId;

    @Pattern(regexp = POINTER, message = POINTER_MESSAGE)
    private String orderId;

    @Pattern(regexp = POINTER, message = POINTER_MESSAGE)
    private String disputeOrderId;

    @JsonProperty
    public String getSecrets() {
        return secrets;
    }

    @JsonProperty
    public void setSecrets(String secrets) {
        // An unset ${VAR:-} arrives as null: no secret, not an invalid file.
        this.secrets = secrets == null ? "" : secrets;
    }

    @JsonProperty
    public String getUserId() {
        return userId;
    }

    @JsonProperty
    public void setUserId(String userId) {
        this.userId = userId;
    }

    @JsonProperty
    public String getOrderId() {
        return orderId;
    }

    @JsonProperty
    public void setOrderId(String orderId) {
        this.orderId = orderId;
    }

    @JsonProperty
    public String getDisputeOrderId() {
        return disputeOrderId;
    }

    @JsonProperty
    public void setDisputeOrderId(String disputeOrderId) {
        this.disputeOrderId = disputeOrderId;
    }

    public ProviderSettings settings(Duration timestampTolerance, Clock clock) {
        return new ProviderSettings(secrets, blankToNull(userId), blankToNull(orderId), blankToNull(disputeOrderId),
                timestampTolerance, clock);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
