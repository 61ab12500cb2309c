package io.hookshard;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.util.Duration;
import io.hookshard.config.TopicsFactory;
import io.hookshard.kafka.TopicDurability;
import io.hookshard.kafka.TopicInitializer;
import io.hookshard.support.TestApp;
import io.hookshard.support.TestInfrastructure;
import io.hookshard.support.Webhooks;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The topics carry the retention config.yml sets, and a broker keeping too few copies is said out loud. */
class KafkaTopicsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Admin admin;

    @BeforeAll
    static void connect() {
        admin = Admin.create(Map.of("bootstrap.servers", TestInfrastructure.shared().bootstrapServers()));
    }

    @AfterAll
    static void close() {
        admin.close();
    }

    @Test
    void createdTopicsCarryTheConfiguredRetentionAndExistingTopicsAreResetToItOnTheNextStart() throws Exception {
        TopicsFactory topics = topics();
        topics.setRetention(Duration.days(2));
        topics.setDeadLetterRetention(Duration.days(9));
        new TopicInitializer(admin, topics).ensureTopics();

        String orders = topics.getOrders();
        await().untilAsserted(() -> assertThat(configs(topics.allTopics(), "retention.ms", "cleanup.policy"))
                .containsEntry(orders + " retention.ms", days(2))
                .containsEntry(orders + ".retry retention.ms", days(2))
                .containsEntry(orders + ".dlq retention.ms", days(9))
                .containsEntry(topics.getDisputes() + ".dlq retention.ms", days(9))
                .containsEntry(topics.getEvents() + " retention.ms", days(2))
                .containsEntry(topics.getEvents() + " cleanup.policy", "delete")
                .containsEntry(orders + " cleanup.policy", "delete")
                .containsEntry(orders + ".dlq cleanup.policy", "delete")
                .containsEntry(orders + ".dlq.replayed cleanup.policy", "compact"));

        // Someone changes a topic by hand, and config.yml changes: the next start sets what config.yml says.
        admin.incrementalAlterConfigs(Map.of(
                new ConfigResource(ConfigResource.Type.TOPIC, orders + ".dlq"),
                List.of(new AlterConfigOp(new ConfigEntry("retention.ms", "3600000"), AlterConfigOp.OpType.SET)),
                new ConfigResource(ConfigResource.Type.TOPIC, orders + ".dlq.replayed"),
                List.of(new AlterConfigOp(new ConfigEntry("cleanup.policy", "delete"), AlterConfigOp.OpType.SET))))
                .all().get(10, TimeUnit.SECONDS);
        await().until(() -> configs(List.of(orders + ".dlq"), "retention.ms").get(orders + ".dlq retention.ms")
                .equals("3600000"));
        topics.setRetention(Duration.days(3));
        new TopicInitializer(admin, topics).ensureTopics();

        await().untilAsserted(() -> assertThat(configs(topics.allTopics(), "retention.ms", "cleanup.policy"))
                .containsEntry(orders + " retention.ms", days(3))
                .containsEntry(topics.getDisputes() + ".retry retention.ms", days(3))
                .containsEntry(orders + ".dlq retention.ms", days(9))
                .containsEntry(orders + ".dlq.replayed cleanup.policy", "compact"));
    }

    @Test
    void topicsWithOneReplicaAreReportedBelowTheDefaultExpectationAtStartupAndInHealth() throws Exception {
        TopicsFactory topics = topics();
        Logger log = (Logger) LoggerFactory.getLogger(TopicInitializer.class);
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        log.addAppender(captured);
        try {
            new TopicInitializer(admin, topics).ensureTopics();
        } finally {
            log.detachAppender(captured);
        }

        assertThat(captured.list).filteredOn(event -> event.getLevel() == Level.WARN)
                .extracting(ILoggingEvent::getFormattedMessage).singleElement().asString()
                .startsWith("9 of 9 topic(s) below the durability expected (replication factor 3,"
                        + " min.insync.replicas 2): [" + topics.getOrders()
                        + " (replication factor 1, min.insync.replicas 1)");
        assertThat(new TopicDurability(admin, topics).shortfalls()).hasSize(9)
                .allSatisfy(shortfall -> {
                    assertThat(shortfall.replicationFactor()).isEqualTo(1);
                    assertThat(shortfall.minInSyncReplicas()).isEqualTo(1);
                });
        topics.setWarnBelowReplicationFactor((short) 1);
        topics.setWarnBelowMinInSyncReplicas(1);
        assertThat(new TopicDurability(admin, topics).shortfalls()).isEmpty();

        try (TestApp app = TestApp.onSharedInfrastructure("kafka.topics.warnBelowReplicationFactor=3",
                "kafka.topics.warnBelowMinInSyncReplicas=2").start()) {
            HttpResponse<String> health = new Webhooks(TestApp.SECRET).get(app.adminUrl("/healthcheck"));
            JsonNode durability = JSON.readTree(health.body()).get("kafka-durability");

            assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
            assertThat(durability.get("healthy").asBoolean()).isTrue();
            assertThat(durability.get("warning").asBoolean()).isTrue();
            assertThat(durability.get("message").asText()).startsWith("WARNING: 9 of 9 topic(s) below replication"
                    + " factor 3, min.insync.replicas 2: [" + app.ordersTopic()
                    + " (replication factor 1, min.insync.replicas 1)");
        }
    }

    private static TopicsFactory topics() {
        String namespace = TestApp.newNamespace();
        TopicsFactory topics = new TopicsFactory();
        topics.setOrders("orders.webhooks." + namespace);
        topics.setDisputes("disputes.webhooks." + namespace);
        topics.setEvents("payments.events." + namespace);
        topics.setPartitions(2);
        return topics;
    }

    /** "<topic> <config>" to the value in force on the broker, for the given configs of the given topics. */
    private static Map<String, String> configs(List<String> topics, String... names) throws Exception {
        Map<ConfigResource, Config> described = admin.describeConfigs(topics.stream()
                .map(topic -> new ConfigResource(ConfigResource.Type.TOPIC, topic)).toList())
                .all().get(10, TimeUnit.SECONDS);
        Map<String, String> values = new LinkedHashMap<>();
        described.forEach((resource, config) -> {
            for (String name : names) {
                values.put(resource.name() + " " + name, config.get(name).value());
            }
        });
        return values;
    }

    private static String days(int days) {
        return Long.toString(TimeUnit.DAYS.toMillis(days));
    }
}
