package io.hookshard.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;

/** Topic names and shape. Topics are created at startup by the service, never on first use. */
public class TopicsFactory {
    @NotEmpty
    private String orders = "orders.webhooks";

    @NotEmpty
    private String disputes = "disputes.webhooks";

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

    /** Where events of {@code topic} wait for something that has not arrived yet (e.g. their order). */
    public static String retryTopic(String topic) {
        return topic + ".retry";
    }

    /** The dead-letter topic of {@code topic}. */
    public static String deadLetterTopic(String topic) {
        return topic + ".dlq";
    }

    /** Which dead letters of {@code topic} were replayed already (compacted; see the dlq-replay task). */
    public static String replayedTopic(String topic) {
        return deadLetterTopic(topic) + ".replayed";
    }
}
