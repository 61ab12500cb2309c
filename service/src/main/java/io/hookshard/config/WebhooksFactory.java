package io.hookshard.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.DataSize;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MaxDataSize;
import io.dropwizard.validation.MinDataSize;
import io.dropwizard.validation.MinDuration;
import io.hookshard.security.WebhookSecrets;
import jakarta.validation.constraints.NotNull;

import java.util.concurrent.TimeUnit;

/** How webhooks are authenticated and bounded. Secrets come from HOOKSHARD_WEBHOOK_SECRETS, never from the file. */
public class WebhooksFactory {
    /** Comma-separated {@code whsec_...} secrets; empty or unset means every webhook is refused (fail closed). */
    private String secrets = "";

    /** How far a webhook-timestamp may lie in the past or the future. */
    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.SECONDS)
    private Duration timestampTolerance = Duration.minutes(5);

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

    public WebhookSecrets secrets() {
        return WebhookSecrets.parse(secrets);
    }
}
