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
