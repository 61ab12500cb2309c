package io.hookshard.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import java.util.concurrent.TimeUnit;

/** Monthly partitions of the event tables: how far ahead they exist, and how long they are kept. */
public class PartitionsFactory {
    /** Partitions exist for the current month and this many months after it. */
    @Min(0)
    @Max(120)
    private int monthsAhead = 3;

    /** Months of partitions kept before the current month; older ones are detached and dropped. 0: keep all. */
    @Min(0)
    @Max(1200)
    private int retentionMonths = 0;

    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MINUTES)
    private Duration maintenanceInterval = Duration.hours(24);

    /**
     * How long the inbox remembers an admitted event: longer than any provider's retry window (Stripe retries for 3
     * days, Adyen's and Checkout.com's for up to 30) and than any topic's retention, so no redelivery can outlive its
     * inbox row. Consumers dead-letter an envelope received longer ago than this (beyond_dedup_window) rather than
     * risk storing it twice. 0 keeps every row.
     */
    @NotNull
    private Duration inboxRetention = Duration.days(35);

    @JsonProperty
    public Duration getInboxRetention() {
        return inboxRetention;
    }

    @JsonProperty
    public void setInboxRetention(Duration inboxRetention) {
        this.inboxRetention = inboxRetention;
    }

    @JsonProperty
    public int getMonthsAhead() {
        return monthsAhead;
    }

    @JsonProperty
    public void setMonthsAhead(int monthsAhead) {
        this.monthsAhead = monthsAhead;
    }

    @JsonProperty
    public int getRetentionMonths() {
        return retentionMonths;
    }

    @JsonProperty
    public void setRetentionMonths(int retentionMonths) {
        this.retentionMonths = retentionMonths;
    }

    @JsonProperty
    public Duration getMaintenanceInterval() {
        return maintenanceInterval;
    }

    @JsonProperty
    public void setMaintenanceInterval(Duration maintenanceInterval) {
        this.maintenanceInterval = maintenanceInterval;
    }
}
