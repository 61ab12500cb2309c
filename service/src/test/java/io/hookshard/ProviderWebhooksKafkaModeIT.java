package io.hookshard;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookshard.support.ConsumerLag;
import io.hookshard.support.ProviderFixtures;
import io.hookshard.support.TestApp;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Providers' webhooks in Kafka mode: answered once every envelope is acknowledged, applied by the consumers. */
class ProviderWebhooksKafkaModeIT extends ProviderWebhooksContract {
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
        for (String topic : List.of(app.ordersTopic(), app.disputesTopic())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> ConsumerLag.total(app.bootstrapServers(),
                    app.configuration().getConsumers().getGroupId(), topic) == 0);
        }
    }

    @Test
    void theEnvelopeInKafkaNamesTheProviderAndMappingAndCarriesBothTexts() throws Exception {
        Map<String, String> ids = ids();
        String event = ProviderFixtures.load("stripe/charge.refunded.json", ids);

        HttpResponse<String> response = http.send(ProviderFixtures.stripe(url("/webhooks/stripe"), event));

        assertThat(response.statusCode()).isEqualTo(202);
        String eventId = JSON.readTree(response.body()).get("event_id").asText();
        // Read right after the answer: the acknowledged record must already be there.
        JsonNode envelope = readAll(app.ordersTopic()).stream()
                .filter(candidate -> candidate.get("event_id").asText().equals(eventId)).findFirst().orElseThrow();
        assertThat(envelope.get("key").asText()).isEqualTo(ids.get("user_id"));
        assertThat(envelope.get("provider").asText()).isEqualTo("stripe");
        assertThat(envelope.get("mapping").asText()).isEqualTo("stripe@2");
        assertThat(envelope.get("payload").get("status").asText()).isEqualTo("refunded");
        assertThat(envelope.get("payload").get("provider_event_id").asText()).isEqualTo("stripe:" + ids.get("event_id"));
        assertThat(envelope.get("provider_payload")).isEqualTo(JSON.readTree(event));
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
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(JSON.readTree(record.value()));
                }
            }
        }
        return values;
    }
}
