package io.hookshard.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDuration;
import io.dropwizard.validation.ValidationMethod;
import io.hookshard.consume.TopicNames;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Topic names, shape and retention. Topics are created at startup by the service, never on first use, and their
 * retention is set to what this says on every start.
 */
public class TopicsFactory {
    @NotEmpty
    private String orders = "orders.webhooks";

    @NotEmpty
    private String disputes = "disputes.webhooks";

    /** Where the relays publish downstream events (CloudEvents, keyed by order id). */
    @NotEmpty
    private String events = "payments.events";

    @Min(1)
    @Max(1000)
    private int partitions = 6;

    @Min(1)
    @Max(7)
    private short replicationFactor = 1;

    /** The min.insync.replicas of the topics; with acks=all a write needs this many replicas. */
    @Min(1)
    @Max(7)
    private int minInSyncReplicas = 1;

    /**
     * How long the webhook and .retry topics keep records: the window in which events can be re-read or replayed; the
     * downstream events topic keeps its records as long.
     */
    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.HOURS)
    private Duration retention = Duration.days(7);

    /** How long the .dlq topics keep dead letters; at least {@link #retention}, as someone must look at them. */
    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.HOURS)
    private Duration deadLetterRetention = Duration.days(30);

    /**
     * Below this replication factor (read from the broker), startup logs a WARN and the kafka-durability health
     * check warns: one broker lost could lose acknowledged webhooks. Dev mode and tests, on one broker, lower it.
     */
    @Min(1)
    @Max(7)
    private short warnBelowReplicationFactor = 3;

    /** The same for min.insync.replicas: below 2, an acks=all write may rest on a single replica. */
    @Min(1)
    @Max(7)
    private int warnBelowMinInSyncReplicas = 2;

    @JsonProperty
    public String getOrders() {
        return orders;
    }

    @JsonProperty
    public void setOrders(String orders) {
        this.orders = orders;
    }

    @JsonProperty
    public String getDisputes() {
        return disputes;
    }

    @JsonProperty
    public void setDisputes(String disputes) {
        this.disputes = disputes;
    }

    @JsonProperty
    public String getEvents() {
        return events;
    }

    @JsonProperty
    public void setEvents(String events) {
        this.events = events;
    }

    @JsonProperty
    public int getPartitions() {
        return partitions;
    }

    @JsonProperty
    public void setPartitions(int partitions) {
        this.partitions = partitions;
    }

    @JsonProperty
    public short getReplicationFactor() {
        return replicationFactor;
    }

    @JsonProperty
    public void setReplicationFactor(short replicationFactor) {
        this.replicationFactor = replicationFactor;
    }

    @JsonProperty
    public int getMinInSyncReplicas() {
        return minInSyncReplicas;
    }

    @JsonProperty
    public void setMinInSyncReplicas(int minInSyncReplicas) {
        this.minInSyncReplicas = minInSyncReplicas;
    }

    @JsonProperty
    public Duration getRetention() {
        return retention;
    }

    @JsonProperty
    public void setRetention(Duration retention) {
        this.retention = retention;
    }

    @JsonProperty
    public Duration getDeadLetterRetention() {
        return deadLetterRetention;
    }

    @JsonProperty
    public void setDeadLetterRetention(Duration deadLetterRetention) {
        this.deadLetterRetention = deadLetterRetention;
    }

    @JsonProperty
    public short getWarnBelowReplicationFactor() {
        return warnBelowReplicationFactor;
    }

    @JsonProperty
    public void setWarnBelowReplicationFactor(short warnBelowReplicationFactor) {
        this.warnBelowReplicationFactor = warnBelowReplicationFactor;
    }

    @JsonProperty
    public int getWarnBelowMinInSyncReplicas() {
        return warnBelowMinInSyncReplicas;
    }

    @JsonProperty
    public void setWarnBelowMinInSyncReplicas(int warnBelowMinInSyncReplicas) {
        this.warnBelowMinInSyncReplicas = warnBelowMinInSyncReplicas;
    }

    @JsonIgnore
    @ValidationMethod(message = "kafka.topics.deadLetterRetention must be at least kafka.topics.retention")
    public boolean isDeadLetterRetentionAtLeastRetention() {
        return retention == null || deadLetterRetention == null
                || deadLetterRetention.toMilliseconds() >= retention.toMilliseconds();
    }

    /**
     * Every topic the service uses: the webhook topics, their .retry, .dlq and .dlq.replayed topics, and the
     * downstream events topic.
     */
    @JsonIgnore
    public List<String> allTopics() {
        List<String> names = new ArrayList<>();
        for (String topic : List.of(orders, disputes)) {
            names.add(topic);
            names.add(retryTopic(topic));
            names.add(deadLetterTopic(topic));
            names.add(replayedTopic(topic));
        }
        names.add(events);
        return names;
    }

    /** Where events of {@code topic} wait for something that has not arrived yet (e.g. their order). */
    public static String retryTopic(String topic) {
        return TopicNames.retry(topic);
    }

    /** The dead-letter topic of {@code topic}. */
    public static String deadLetterTopic(String topic) {
        return TopicNames.deadLetters(topic);
    }

    /** Which dead letters of {@code topic} were replayed already (compacted; see the dlq-replay task). */
    public static String replayedTopic(String topic) {
        return deadLetterTopic(topic) + ".replayed";
    }
}
