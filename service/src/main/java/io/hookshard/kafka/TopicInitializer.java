package io.hookshard.kafka;

import io.dropwizard.lifecycle.Managed;
import io.hookshard.config.TopicsFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Creates the webhook topics, their retry and dead-letter topics and the dead letters' replay markers with the
 * configured shape at startup (the broker's auto-create is never relied on), and grows the partition count when
 * config asks for more.
 */
public final class TopicInitializer implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(TopicInitializer.class);

    private static final String REPLAYED_SUFFIX = TopicsFactory.replayedTopic("");

    private final Admin admin;
    private final TopicsFactory topics;

    public TopicInitializer(Admin admin, TopicsFactory topics) {
        this.admin = admin;
        this.topics = topics;
    }

    public List<String> topicNames() {
        List<String> names = new ArrayList<>();
        for (String topic : List.of(topics.getOrders(), topics.getDisputes())) {
            names.add(topic);
            names.add(TopicsFactory.retryTopic(topic));
            names.add(TopicsFactory.deadLetterTopic(topic));
            names.add(TopicsFactory.replayedTopic(topic));
        }
        return names;
    }

    @Override
    public void start() throws Exception {
        ensureTopics();
    }

    public void ensureTopics() throws InterruptedException, ExecutionException, TimeoutException {
        Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
        List<NewTopic> missing = new ArrayList<>();
        for (String name : topicNames()) {
            if (!existing.contains(name)) {
                missing.add(new NewTopic(name, topics.getPartitions(), topics.getReplicationFactor())
                        .configs(configs(name)));
            }
        }
        for (NewTopic topic : missing) {
            try {
                admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
                LOG.info("created topic {} with {} partitions, replication factor {}", topic.name(),
                        topic.numPartitions(), topic.replicationFactor());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
        // Topics just created have the configured shape (and may not be describable yet); check the others.
        List<String> preexisting = topicNames().stream().filter(existing::contains).toList();
        if (!preexisting.isEmpty()) {
            growPartitions(preexisting);
        }
    }

    /** The topic configs of {@code name}; the replay markers are keyed by dead letter, so compaction fits them. */
    Map<String, String> configs(String name) {
        Map<String, String> configs = new HashMap<>();
        configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(topics.getMinInSyncReplicas()));
        if (name.endsWith(REPLAYED_SUFFIX)) {
            configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
        }
        return configs;
    }

    private void growPartitions(List<String> names) throws InterruptedException, ExecutionException, TimeoutException {
        Map<String, TopicDescription> descriptions = admin.describeTopics(names).allTopicNames()
                .get(30, TimeUnit.SECONDS);
        for (TopicDescription description : descriptions.values()) {
            int current = description.partitions().size();
            if (current < topics.getPartitions()) {
                // Keys move to other partitions; ordering per key is not relied on (event-time order is).
                admin.createPartitions(Map.of(description.name(), NewPartitions.increaseTo(topics.getPartitions())))
                        .all().get(30, TimeUnit.SECONDS);
                LOG.info("grew topic {} from {} to {} partitions", description.name(), current, topics.getPartitions());
            } else if (current > topics.getPartitions()) {
                LOG.warn("topic {} has {} partitions, more than the configured {}; Kafka cannot shrink a topic",
                        description.name(), current, topics.getPartitions());
            }
        }
    }
}
