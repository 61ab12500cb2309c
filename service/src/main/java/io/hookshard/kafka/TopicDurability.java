package io.hookshard.kafka;

import io.hookshard.config.TopicsFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads from the broker the replication factor and min.insync.replicas actually in force on the service's topics
 * (not what config asked for: a topic may predate the config, or the broker may have been set up by hand) and names
 * the topics below {@code kafka.topics.warnBelowReplicationFactor} / {@code warnBelowMinInSyncReplicas}. With
 * acks=all a 202 promises min.insync.replicas copies; below 3 replicas and 2 in sync, one lost disk can lose an
 * accepted webhook.
 */
public final class TopicDurability {
    private final Admin admin;
    private final List<String> topics;
    private final short warnBelowReplicationFactor;
    private final int warnBelowMinInSyncReplicas;

    public TopicDurability(Admin admin, TopicsFactory topics) {
        this(admin, topics, topics.allTopics());
    }

    public TopicDurability(Admin admin, TopicsFactory topics, List<String> names) {
        this.admin = admin;
        this.topics = List.copyOf(names);
        this.warnBelowReplicationFactor = topics.getWarnBelowReplicationFactor();
        this.warnBelowMinInSyncReplicas = topics.getWarnBelowMinInSyncReplicas();
    }

    /** A topic below the expected durability, with the values the broker reported. */
    public record Shortfall(String topic, int replicationFactor, int minInSyncReplicas) {
        @Override
        public String toString() {
            return topic + " (replication factor " + replicationFactor + ", min.insync.replicas " + minInSyncReplicas
                    + ")";
        }
    }

    /** What this warns below, for messages. */
    public String expectation() {
        return "replication factor " + warnBelowReplicationFactor + ", min.insync.replicas "
                + warnBelowMinInSyncReplicas;
    }

    public int topicCount() {
        return topics.size();
    }

    /** The topics below expectation, in the order given; empty when all are fine. */
    public List<Shortfall> shortfalls() throws InterruptedException, ExecutionException, TimeoutException {
        Map<String, TopicDescription> descriptions = admin.describeTopics(topics).allTopicNames()
                .get(10, TimeUnit.SECONDS);
        Map<ConfigResource, Config> configs = admin.describeConfigs(topics.stream()
                .map(topic -> new ConfigResource(ConfigResource.Type.TOPIC, topic)).toList())
                .all().get(10, TimeUnit.SECONDS);
        List<Shortfall> shortfalls = new ArrayList<>();
        for (String topic : topics) {
            // The weakest partition decides: a partition reassigned to fewer replicas is as fragile as a whole topic.
            int replicationFactor = descriptions.get(topic).partitions().stream()
                    .mapToInt(partition -> partition.replicas().size()).min().orElse(0);
            ConfigEntry entry = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, topic))
                    .get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
            int minInSync = entry == null || entry.value() == null ? 1 : Integer.parseInt(entry.value());
            if (replicationFactor < warnBelowReplicationFactor || minInSync < warnBelowMinInSyncReplicas) {
                shortfalls.add(new Shortfall(topic, replicationFactor, minInSync));
            }
        }
        return shortfalls;
    }
}
