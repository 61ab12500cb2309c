package io.hookshard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookshard.support.ConsumerLag;
import io.hookshard.support.ShardSql;
import io.hookshard.support.TestApp;
import io.hookshard.support.Webhooks;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The whole path on real servers: signed webhook -> Kafka (durable) -> consumer -> the shard the router names. */
class WebhookPathIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestApp app;
    private final Webhooks provider = new Webhooks(TestApp.SECRET);

    @BeforeAll
    static void start() throws Exception {
        app = TestApp.onSharedInfrastructure().start();
    }

    @AfterAll
    static void stop() {
        app.stop();
    }

    @Test
    void acceptedOrderLandsOnceInTheShardTheRouterNames() throws Exception {
        String user = Webhooks.randomId("user");
        String order = Webhooks.randomId("order");

        HttpResponse<String> response = provider.post(app.url("/webhooks/payments/orders"),
                Webhooks.order(Webhooks.randomId("evt"), user, order, "paid", 1999, "2026-11-20T10:00:00Z"));

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(JSON.readTree(response.body()).get("event_id").asText()).isNotBlank();
        String home = shardUrlOf(user);
        String other = otherShardUrl(home);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(ShardSql.count(home, "SELECT count(*) FROM orders WHERE order_id = ?", order)).isEqualTo(1));
        assertThat(ShardSql.string(home, "SELECT user_id FROM orders WHERE order_id = ?", order)).isEqualTo(user);
        assertThat(ShardSql.count(home, "SELECT count(*) FROM order_events WHERE order_id = ?", order)).isEqualTo(1);
        assertThat(ShardSql.count(other, "SELECT count(*) FROM orders WHERE order_id = ?", order)).isZero();
        assertThat(ShardSql.count(shardUrlOf(order), "SELECT count(*) FROM order_directory WHERE order_id = ?",
                order)).isEqualTo(1);
    }

    @Test
    void sameEventPostedThreeTimesIsStoredOnce() throws Exception {
        String user = Webhooks.randomId("user");
        String order = Webhooks.randomId("order");
        String body = Webhooks.order(Webhooks.randomId("evt"), user, order, "authorized", 500, "2026-11-20T10:00:00Z");

        List<String> eventIds = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> response = provider.post(app.url("/webhooks/payments/orders"), body);
            assertThat(response.statusCode()).isEqualTo(202);
            eventIds.add(JSON.readTree(response.body()).get("event_id").asText());
        }

        assertThat(eventIds).containsOnly(eventIds.get(0));
        String home = shardUrlOf(user);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                ShardSql.count(home, "SELECT count(*) FROM orders WHERE order_id = ?", order)).isEqualTo(1));
        // All three copies have been consumed once the group has no lag; only then is "once" meaningful.
        awaitNoLag(app.ordersTopic());
        assertThat(ShardSql.count(home, "SELECT count(*) FROM order_events WHERE order_id = ?", order)).isEqualTo(1);
        assertThat(ShardSql.count(home, "SELECT count(*) FROM inbox WHERE event_id = ?::uuid", eventIds.get(0)))
                .isEqualTo(1);
    }

    @Test
    void answers202OnlyOnceTheEventIsInKafka() throws Exception {
        String user = Webhooks.randomId("user");
        HttpResponse<String> response = provider.post(app.url("/webhooks/payments/orders"),
                Webhooks.order(Webhooks.randomId("evt"), user, Webhooks.randomId("order"), "created", 1,
                        "2026-11-20T10:00:00Z"));
        assertThat(response.statusCode()).isEqualTo(202);
        String eventId = JSON.readTree(response.body()).get("event_id").asText();

        // Read the topic right after the answer, without waiting: the acknowledged record must already be there.
        List<JsonNode> envelopes = readAll(app.ordersTopic());
        assertThat(envelopes).anySatisfy(envelope -> {
            assertThat(envelope.get("event_id").asText()).isEqualTo(eventId);
            assertThat(envelope.get("key").asText()).isEqualTo(user);
            assertThat(envelope.get("type").asText()).isEqualTo("payment.order");
            assertThat(envelope.get("payload").get("user_id").asText()).isEqualTo(user);
            assertThat(Instant.parse(envelope.get("received_at").asText())).isBefore(Instant.now().plusSeconds(1));
        });
    }

    @Test
    void chargebackLandsWithItsOrderOnTheOwnersShard() throws Exception {
        String user = Webhooks.randomId("user");
        String order = Webhooks.randomId("order");
        String dispute = Webhooks.randomId("dispute");
        assertThat(provider.post(app.url("/webhooks/payments/orders"), Webhooks.order(Webhooks.randomId("evt"), user,
                order, "paid", 1999, "2026-11-20T10:00:00Z")).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> provider.get(app.url("/orders/" + order)).statusCode() == 200);

        assertThat(provider.post(app.url("/webhooks/payments/chargebacks"), Webhooks.chargeback(
                Webhooks.randomId("evt"), order, dispute, "opened", "2026-11-21T10:00:00Z")).statusCode()).isEqualTo(202);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode view = JSON.readTree(provider.get(app.url("/orders/" + order)).body());
            assertThat(view.get("disputes")).hasSize(1);
            assertThat(view.get("disputes").get(0).get("dispute_id").asText()).isEqualTo(dispute);
        });
        assertThat(ShardSql.count(shardUrlOf(user), "SELECT count(*) FROM disputes WHERE dispute_id = ?", dispute))
                .isEqualTo(1);
        assertThat(ShardSql.string(shardUrlOf(user), "SELECT user_id FROM disputes WHERE dispute_id = ?", dispute))
                .isEqualTo(user);
    }

    @Test
    void readApiShowsTheOrderItsEventsAndTheUsersOrders() throws Exception {
        String user = Webhooks.randomId("user");
        String order = Webhooks.randomId("order");
        provider.post(app.url("/webhooks/payments/orders"), Webhooks.order(Webhooks.randomId("evt"), user, order,
                "authorized", 700, "2026-11-20T10:00:00Z"));
        provider.post(app.url("/webhooks/payments/orders"), Webhooks.order(Webhooks.randomId("evt"), user, order,
                "paid", 700, "2026-11-20T10:05:00Z"));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode view = JSON.readTree(provider.get(app.url("/orders/" + order)).body());
            assertThat(view.get("status").asText()).isEqualTo("paid");
            assertThat(view.get("events")).hasSize(2);
        });
        JsonNode view = JSON.readTree(provider.get(app.url("/orders/" + order)).body());
        assertThat(view.get("user_id").asText()).isEqualTo(user);
        assertThat(view.get("amount_minor").asLong()).isEqualTo(700);
        assertThat(view.get("currency").asText()).isEqualTo("EUR");
        assertThat(view.get("events").get(0).get("status").asText()).isEqualTo("authorized");

        JsonNode list = JSON.readTree(provider.get(app.url("/users/" + user + "/orders")).body());
        assertThat(list).hasSize(1);
        assertThat(list.get(0).get("order_id").asText()).isEqualTo(order);
        assertThat(JSON.readTree(provider.get(app.url("/users/nobody-" + UUID.randomUUID() + "/orders")).body()))
                .isEmpty();
        HttpResponse<String> missing = provider.get(app.url("/orders/no-such-order"));
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(missing.body()).get("code").asText()).isEqualTo("order_not_found");
    }

    @Test
    void restartedServiceResumesFromCommittedOffsetsWithNothingLost() throws Exception {
        String user = Webhooks.randomId("user");
        List<String> before = postOrders(user, 20);
        await().atMost(Duration.ofSeconds(30)).until(() -> countOrders(user) == 20);

        app.stop();
        // Accepted while the service is down: already in Kafka, not yet in a shard.
        List<String> whileDown = produceDirectly(user, 30);
        app.start();

        await().atMost(Duration.ofSeconds(60)).until(() -> countOrders(user) == 50);
        awaitNoLag(app.ordersTopic());
        assertThat(before).hasSize(20);
        assertThat(whileDown).hasSize(30);
        assertThat(ShardSql.count(shardUrlOf(user), "SELECT count(*) FROM order_events WHERE user_id = ?", user))
                .isEqualTo(50);
    }

    private List<String> postOrders(String user, int count) throws Exception {
        List<String> orders = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String order = Webhooks.randomId("order");
            assertThat(provider.post(app.url("/webhooks/payments/orders"), Webhooks.order(Webhooks.randomId("evt"),
                    user, order, "paid", 100 + i, "2026-11-20T10:00:00Z")).statusCode()).isEqualTo(202);
            orders.add(order);
        }
        return orders;
    }

    private List<String> produceDirectly(String user, int count) throws Exception {
        List<String> orders = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, app.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
            for (int i = 0; i < count; i++) {
                String order = Webhooks.randomId("order");
                String envelope = """
                        {"event_id":"%s","key":"%s","type":"payment.order","received_at":"%s","payload":%s}"""
                        .formatted(UUID.randomUUID(), user, Instant.now(), Webhooks.order(Webhooks.randomId("evt"),
                                user, order, "paid", 1000 + i, "2026-11-20T11:00:00Z"));
                producer.send(new ProducerRecord<>(app.ordersTopic(), user.getBytes(StandardCharsets.UTF_8),
                        envelope.getBytes(StandardCharsets.UTF_8))).get();
                orders.add(order);
            }
        }
        return orders;
    }

    private long countOrders(String user) {
        return ShardSql.count(shardUrlOf(user), "SELECT count(*) FROM orders WHERE user_id = ?", user);
    }

    private List<JsonNode> readAll(String topic) throws Exception {
        List<JsonNode> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, app.bootstrapServers(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(JSON.readTree(record.value()));
                }
            }
        }
        return values;
    }

    private void awaitNoLag(String topic) {
        await().atMost(Duration.ofSeconds(30)).until(() -> ConsumerLag.total(app.bootstrapServers(),
                app.configuration().getConsumers().getGroupId(), topic) == 0);
    }

    private String shardUrlOf(String key) {
        String shard = app.configuration().getShards().router().shardOf(key);
        return app.shardUrls().get(shard.equals("shard-a") ? 0 : 1);
    }

    private String otherShardUrl(String url) {
        return app.shardUrls().get(app.shardUrls().get(0).equals(url) ? 1 : 0);
    }
}
