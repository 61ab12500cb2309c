package io.hookshard.kafka;

import io.dropwizard.lifecycle.Managed;
import io.hookshard.config.TopicsFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Creates the webhook topics, their retry and dead-letter topics, the dead letters' replay markers and the downstream
 * events topic with the configured shape at startup (the broker's auto-create is never relied on), grows the partition count when config
 * asks for more, sets the configured retention on every start (so the retention in force is what config says), and
 * logs a WARN when the broker keeps fewer copies than {@link TopicDurability} expects.
 */
public final class TopicInitializer implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(TopicInitializer.class);
    private static final int DESCRIBE_ATTEMPTS = 10;

    private final Admin admin;
    private final TopicsFactory topics;
    private final List<String> names;

    public TopicInitializer(Admin admin, TopicsFactory topics) {
        this(admin, topics, topics.allTopics());
    }

    /** Looks after {@code names} only, some of {@link TopicsFactory#allTopics()} (e.g. sync mode's events topic). */
    public TopicInitializer(Admin admin, TopicsFactory topics, List<String> names) {
        this.admin = admin;
        this.topics = topics;
        this.names = List.copyOf(names);
    }

    public List<String> topicNames() {
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
                Map<String, String> configs = new HashMap<>(managedConfigs(name));
                configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(topics.getMinInSyncReplicas()));
                missing.add(new NewTopic(name, topics.getPartitions(), topics.getReplicationFactor()).configs(configs));
            }
        }
        for (NewTopic topic : missing) {
            create(topic);
        }
        // Topics just created have the configured shape (and may not be describable yet); check the others.
        List<String> preexisting = topicNames().stream().filter(existing::contains).toList();
        if (!preexisting.isEmpty()) {
            growPartitions(preexisting);
            alignConfigs(preexisting);
        }
        LOG.info("retention in force: {} ({} ms) on {} and {}, their .retry topics and {}, {} ({} ms) on their .dlq"
                        + " topics; .dlq.replayed compacted", topics.getRetention(),
                topics.getRetention().toMilliseconds(), topics.getOrders(), topics.getDisputes(), topics.getEvents(),
                topics.getDeadLetterRetention(), topics.getDeadLetterRetention().toMilliseconds());
        warnBelowDurability();
    }

    /**
     * Creates a topic, retrying for a minute while the broker cannot place it yet: a broker that just started, or
     * missed a heartbeat under load, is briefly fenced and answers InvalidReplicationFactor for a while.
     */
    private void create(NewTopic topic) throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
                LOG.info("created topic {} with {} partitions, replication factor {}, {}", topic.name(),
                        topic.numPartitions(), topic.replicationFactor(), topic.configs());
                return;
            } catch (ExecutionException e) {
                if (e.getCause() instanceof TopicExistsException) {
                    return;
                }
                boolean placeable = e.getCause() instanceof org.apache.kafka.common.errors.RetriableException
                        || e.getCause() instanceof org.apache.kafka.common.errors.InvalidReplicationFactorException;
                if (!placeable || System.nanoTime() - deadline > 0) {
                    throw e;
                }
                LOG.warn("cannot create topic {} yet, retrying: {}", topic.name(), e.getCause().toString());
                Thread.sleep(1000);
            }
        }
    }

    /**
     * The configs this class owns on {@code name} and resets on every start. The replay markers are keyed by dead
     * letter, so compaction fits them; the dlq-replay task deletes the markers of dead letters retention removed.
     */
    public Map<String, String> managedConfigs(String name) {
        Map<String, String> configs = new LinkedHashMap<>();
        String replayed = TopicsFactory.replayedTopic("");
        String deadLetters = TopicsFactory.deadLetterTopic("");
        if (name.endsWith(replayed)) {
            configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
        } else {
            // Compacting these would keep only the newest event of each user (the record key): never.
            configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
            long retention = name.endsWith(deadLetters) ? topics.getDeadLetterRetention().toMilliseconds()
                    : topics.getRetention().toMilliseconds();
            configs.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(retention));
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

    /** Sets what differs from {@link #managedConfigs} on topics that already existed (a changed config.yml). */
    private void alignConfigs(List<String> names) throws InterruptedException, ExecutionException, TimeoutException {
        Map<ConfigResource, Config> current = admin.describeConfigs(names.stream()
                .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList())
                .all().get(30, TimeUnit.SECONDS);
        Map<ConfigResource, Collection<AlterConfigOp>> changes = new LinkedHashMap<>();
        for (String name : names) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, name);
            for (Map.Entry<String, String> wanted : managedConfigs(name).entrySet()) {
                ConfigEntry entry = current.get(resource).get(wanted.getKey());
                String was = entry == null ? null : entry.value();
                if (!Objects.equals(was, wanted.getValue())) {
                    changes.computeIfAbsent(resource, ignored -> new ArrayList<>()).add(new AlterConfigOp(
                            new ConfigEntry(wanted.getKey(), wanted.getValue()), AlterConfigOp.OpType.SET));
                    LOG.info("setting {} of topic {} to {} (was {})", wanted.getKey(), name, wanted.getValue(), was);
                }
            }
        }
        if (!changes.isEmpty()) {
            admin.incrementalAlterConfigs(changes).all().get(30, TimeUnit.SECONDS);
        }
    }

    private void warnBelowDurability() throws InterruptedException, ExecutionException, TimeoutException {
        TopicDurability durability = new TopicDurability(admin, topics, names);
        for (int attempt = 1; ; attempt++) {
            try {
                List<TopicDurability.Shortfall> shortfalls = durability.shortfalls();
                if (!shortfalls.isEmpty()) {
                    LOG.warn("{} of {} topic(s) below the durability expected ({}): {}; losing one broker or disk can"
                                    + " lose webhooks already answered 202 (see README, \"Durability\")",
                            shortfalls.size(), durability.topicCount(), durability.expectation(), shortfalls);
                }
                return;
            } catch (ExecutionException e) {
                // A topic just created may take a moment to reach every broker's metadata.
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || attempt == DESCRIBE_ATTEMPTS) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }
}
