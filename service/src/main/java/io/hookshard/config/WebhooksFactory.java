package io.hookshard.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.DataSize;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MaxDataSize;
import io.dropwizard.validation.MinDataSize;
import io.dropwizard.validation.MinDuration;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import io.dropwizard.validation.ValidationMethod;
import io.hookshard.core.EventType;
import io.hookshard.providers.ProviderAdapter;
import io.hookshard.providers.ProviderAdapters;
import io.hookshard.providers.ProviderSettings;
import io.hookshard.security.SignatureVerifier;
import io.hookshard.security.StandardWebhookVerifier;
import io.hookshard.security.StripeSignatureVerifier;
import io.hookshard.security.WebhookSecrets;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * How webhooks are authenticated and bounded. Secrets come from environment variables, never from the file:
 * HOOKSHARD_WEBHOOK_SECRETS for Hookshard's own endpoints, one variable per provider for the providers' own.
 */
public class WebhooksFactory {
    /** Comma-separated {@code whsec_...} secrets; empty or unset means every webhook is refused (fail closed). */
    private String secrets = "";

    /** How far a webhook-timestamp may lie in the past or the future. */
    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.SECONDS)
    private Duration timestampTolerance = Duration.minutes(5);

    /** The signature scheme of each endpoint: the provider that sends it decides. */
    @NotNull
    private SignatureScheme ordersScheme = SignatureScheme.STANDARD_WEBHOOKS;

    @NotNull
    private SignatureScheme chargebacksScheme = SignatureScheme.STANDARD_WEBHOOKS;

    public enum SignatureScheme {
        /** webhook-id, webhook-timestamp, webhook-signature: v1,base64(HMAC-SHA256(id.timestamp.body)). */
        STANDARD_WEBHOOKS,
        /** Stripe-Signature: t=...,v1=hex(HMAC-SHA256(t.body)). */
        STRIPE;

        @JsonCreator
        public static SignatureScheme parse(String value) {
            return valueOf(value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        }
    }

    /**
     * Providers posting their own format, by name ({@link ProviderAdapters#names()}). A provider not listed, or
     * listed without secrets, has its endpoint refuse everything.
     */
    @Valid
    @NotNull
    private Map<String, @Valid @NotNull ProviderFactory> providers = new LinkedHashMap<>();

    @NotNull
    @MinDataSize(1)
    @MaxDataSize(value = 10, unit = io.dropwizard.util.DataSizeUnit.MEBIBYTES)
    private DataSize maxBodySize = DataSize.kibibytes(64);

    @JsonProperty
    public String getSecrets() {
        return secrets;
    }

    @JsonProperty
    public void setSecrets(String secrets) {
        // An unset ${HOOKSHARD_WEBHOOK_SECRETS:-} arrives as null: no secret, not an invalid file.
        this.secrets = secrets == null ? "" : secrets;
    }

    @JsonProperty
    public Duration getTimestampTolerance() {
        return timestampTolerance;
    }

    @JsonProperty
    public void setTimestampTolerance(Duration timestampTolerance) {
        this.timestampTolerance = timestampTolerance;
    }

    @JsonProperty
    public DataSize getMaxBodySize() {
        return maxBodySize;
    }

    @JsonProperty
    public void setMaxBodySize(DataSize maxBodySize) {
        this.maxBodySize = maxBodySize;
    }

    @JsonProperty
    public SignatureScheme getOrdersScheme() {
        return ordersScheme;
    }

    @JsonProperty
    public void setOrdersScheme(SignatureScheme ordersScheme) {
        this.ordersScheme = ordersScheme;
    }

    @JsonProperty
    public SignatureScheme getChargebacksScheme() {
        return chargebacksScheme;
    }

    @JsonProperty
    public void setChargebacksScheme(SignatureScheme chargebacksScheme) {
        this.chargebacksScheme = chargebacksScheme;
    }

    @JsonProperty
    public Map<String, ProviderFactory> getProviders() {
        return providers;
    }

    @JsonProperty
    public void setProviders(Map<String, ProviderFactory> providers) {
        this.providers = providers == null ? new LinkedHashMap<>() : providers;
    }

    @JsonIgnore
    @ValidationMethod(message = "webhooks.providers names a provider Hookshard has no adapter for")
    public boolean isEveryProviderKnown() {
        return ProviderAdapters.names().containsAll(providers.keySet());
    }

    /** An adapter for every provider Hookshard knows, each with its configuration (or none: it refuses all). */
    public List<ProviderAdapter> providerAdapters(Clock clock) {
        java.time.Duration tolerance = java.time.Duration.ofSeconds(timestampTolerance.toSeconds());
        return ProviderAdapters.build(name -> providers.containsKey(name)
                ? providers.get(name).settings(tolerance, clock) : ProviderSettings.none(tolerance, clock));
    }

    public WebhookSecrets secrets() {
        return WebhookSecrets.parse(secrets);
    }

    /** The verifier of each endpoint, over the secrets in force. */
    public Map<EventType, SignatureVerifier> verifiers(Clock clock) {
        WebhookSecrets parsed = secrets();
        java.time.Duration tolerance = java.time.Duration.ofSeconds(timestampTolerance.toSeconds());
        return Map.of(EventType.ORDER_PAYMENT, verifier(ordersScheme, parsed, tolerance, clock),
                EventType.CHARGEBACK, verifier(chargebacksScheme, parsed, tolerance, clock));
    }

    private static SignatureVerifier verifier(SignatureScheme scheme, WebhookSecrets secrets,
                                              java.time.Duration tolerance, Clock clock) {
        return switch (scheme) {
            case STANDARD_WEBHOOKS -> new StandardWebhookVerifier(secrets, tolerance, clock);
            case STRIPE -> new StripeSignatureVerifier(secrets, tolerance, clock);
        };
    }
}
