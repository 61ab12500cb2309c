package io.hookshard;

import com.fasterxml.jackson.databind.JsonNode;
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

/** Kafka mode: signed webhook -> Kafka (durable ack, then 202) -> consumer -> the shard the router names. */
class KafkaModeApiIT extends WebhookApiContract {
    private static TestApp app;

    @BeforeAll
    static void start() throws Exception {
        app = TestApp.onSharedInfrastructure().start();
    }

    @AfterAll
    static void stop() {
        app.stop();
    }

    @Override
    TestApp app() {
        return app;
    }

    @Override
    int acceptedStatus() {
        return 202;
    }

    @Override
    void awaitSettled() {
        awaitNoLag(app.ordersTopic());
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
    void guardsEachAnswerOnTheSchedulerThatDropsAGuardOnceItsWebhookIsAnswered() throws Exception {
        HttpResponse<String> response = provider.post(app.url("/webhooks/payments/orders"),
                Webhooks.order(Webhooks.randomId("evt"), Webhooks.randomId("user"), Webhooks.randomId("order"),
                        "created", 1, "2026-11-20T10:00:00Z"));

        assertThat(response.statusCode()).isEqualTo(202);
        // Jersey's timeout scheduler starts its thread when the first suspended request's guard is scheduled.
        assertThat(Thread.getAllStackTraces().keySet()).map(Thread::getName)
                .anyMatch(name -> name.startsWith(io.hookshard.resources.AnswerTimeouts.THREAD_NAME));
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

}
