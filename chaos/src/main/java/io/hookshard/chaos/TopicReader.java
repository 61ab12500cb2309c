package io.hookshard.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/** What the topics say: the consumer group's committed lag, the dead letters and the downstream events. */
final class TopicReader implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String bootstrapServers;
    private final Admin admin;

    TopicReader(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000));
    }

    /** Log end minus the group's committed offset, per topic, summed over partitions (none committed counts 0). */
    Map<String, Long> committedLag(String group, List<String> topics) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        Map<String, Long> lag = new TreeMap<>();
        for (Map.Entry<TopicPartition, Long> end : endOffsets(topics).entrySet()) {
            OffsetAndMetadata done = committed.get(end.getKey());
            lag.merge(end.getKey().topic(), end.getValue() - (done == null ? 0 : done.offset()), Long::sum);
        }
        return lag;
    }

    /** Every record of the dead-letter topics of {@code topics}, by the headers naming its original. */
    List<Stored.DeadLetter> deadLetters(List<String> topics) throws Exception {
        List<Stored.DeadLetter> letters = new ArrayList<>();
        readToEnd(topics.stream().map(topic -> topic + ".dlq").toList(), record ->
                letters.add(new Stored.DeadLetter(header(record, "hookshard-original-topic"),
                        (int) number(header(record, "hookshard-original-partition")),
                        number(header(record, "hookshard-original-offset")),
                        header(record, "hookshard-error-class"),
                        record.value() == null ? "-" : Bodies.digest(record.value()))));
        return letters;
    }

    /** Every record of the downstream events topic (CloudEvents), as the change it announces. */
    List<Stored.Published> published(String topic) throws Exception {
        List<Stored.Published> changes = new ArrayList<>();
        readToEnd(List.of(topic), record -> {
            try {
                JsonNode event = JSON.readTree(record.value());
                JsonNode data = event.path("data");
                changes.add(new Stored.Published(record.partition(), record.offset(), event.path("id").asText(),
                        data.path("order_id").asText(), text(data, "dispute_id"), data.path("status").asText(),
                        text(data, "previous_status"), data.path("provider_event_id").asText()));
            } catch (java.io.IOException e) {
                throw new IllegalStateException("an unreadable record at " + record.partition() + "/"
                        + record.offset() + " of " + topic, e);
            }
        });
        return changes;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private void readToEnd(List<String> topics, java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> each)
            throws Exception {
        Map<TopicPartition, Long> ends = endOffsets(topics);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                // Dead letters are written in transactions: an aborted one's copy is no dead letter.
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))) {
            consumer.assign(ends.keySet());
            consumer.seekToBeginning(ends.keySet());
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (!caughtUp(consumer, ends)) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("could not read " + topics + " to their end " + ends);
                }
                consumer.poll(Duration.ofMillis(500)).forEach(each);
            }
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }

    private Map<TopicPartition, Long> endOffsets(List<String> topics) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS).forEach((topic, description) ->
                description.partitions().forEach(partition ->
                        latest.put(new TopicPartition(topic, partition.partition()), OffsetSpec.latest())));
        Map<TopicPartition, Long> ends = new HashMap<>();
        for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> entry
                : admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).entrySet()) {
            ends.put(entry.getKey(), entry.getValue().offset());
        }
        return ends;
    }

    private static boolean caughtUp(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> ends) {
        return ends.entrySet().stream().allMatch(end -> consumer.position(end.getKey()) >= end.getValue());
    }

    /** A dead letter without its coordinates matches no poison record: -1. */
    private static long number(String text) {
        try {
            return text == null ? -1 : Long.parseLong(text);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
