package io.hookshard.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookshard.core.DisputeStatus;
import io.hookshard.core.OrderStatus;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A downstream consumer of the events topic, as far as tests need one: reads everything published so far. */
public final class DownstreamEvents {
    /** The events of one order in the order the stores apply them: occurred_at, lifecycle rank, provider event id. */
    public static final Comparator<JsonNode> STATE_ORDER = Comparator
            .comparing((JsonNode data) -> Instant.parse(data.get("occurred_at").asText()))
            .thenComparingInt(DownstreamEvents::rank)
            .thenComparing(data -> data.get("provider_event_id").asText());
    private static final ObjectMapper JSON = new ObjectMapper();

    private DownstreamEvents() {
    }

    /** One record of the events topic: where it is, its key and content type, its value as text and as JSON. */
    public record Published(int partition, long offset, String key, String contentType, String value, JsonNode event) {
        public String id() {
            return event.get("id").asText();
        }

        public String type() {
            return event.get("type").asText();
        }

        public JsonNode data() {
            return event.get("data");
        }
    }

    /** Every record of {@code topic} up to its end when called, partition by partition, each in offset order. */
    public static List<Published> readAll(String bootstrapServers, String topic) {
        List<Published> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end in 60 s");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.offset() < end.get(new TopicPartition(topic, record.partition()))) {
                        records.add(published(record));
                    }
                }
            }
        }
        records.sort(Comparator.comparingInt(Published::partition).thenComparingLong(Published::offset));
        return records;
    }

    /** The records of each key (order id), in the order a consumer of its partition reads them. */
    public static Map<String, List<Published>> byKey(List<Published> records) {
        Map<String, List<Published>> byKey = new LinkedHashMap<>();
        records.forEach(record -> byKey.computeIfAbsent(record.key(), key -> new ArrayList<>()).add(record));
        return byKey;
    }

    /** Each id's first record only, in order: what a consumer that skips ids it has seen processes. */
    public static List<Published> firstOfEachId(List<Published> records) {
        Set<String> seen = new HashSet<>();
        return records.stream().filter(record -> seen.add(record.id())).toList();
    }

    private static int rank(JsonNode data) {
        String status = data.get("status").asText();
        return data.has("dispute_id") ? DisputeStatus.fromWireName(status).rank()
                : OrderStatus.fromWireName(status).rank();
    }

    private static Published published(ConsumerRecord<byte[], byte[]> record) {
        Header contentType = record.headers().lastHeader("content-type");
        String value = new String(record.value(), StandardCharsets.UTF_8);
        try {
            return new Published(record.partition(), record.offset(), new String(record.key(), StandardCharsets.UTF_8),
                    contentType == null ? null : new String(contentType.value(), StandardCharsets.UTF_8), value,
                    JSON.readTree(value));
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON at " + record.partition() + "@" + record.offset() + ": " + value,
                    e);
        }
    }
}
