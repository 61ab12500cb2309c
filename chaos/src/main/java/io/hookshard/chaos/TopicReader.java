package io.hookshard.chaos;

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

/** What the topics say: the consumer group's committed lag, and the dead letters. */
final class TopicReader implements AutoCloseable {
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
        List<String> dlqs = topics.stream().map(topic -> topic + ".dlq").toList();
        Map<TopicPartition, Long> ends = endOffsets(dlqs);
        List<Stored.DeadLetter> letters = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))) {
            consumer.assign(ends.keySet());
            consumer.seekToBeginning(ends.keySet());
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (!caughtUp(consumer, ends)) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("could not read the dead-letter topics to their end " + ends);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    letters.add(new Stored.DeadLetter(header(record, "hookshard-original-topic"),
                            (int) number(header(record, "hookshard-original-partition")),
                            number(header(record, "hookshard-original-offset")),
                            header(record, "hookshard-error-class"),
                            record.value() == null ? "-" : Bodies.digest(record.value())));
                }
            }
        }
        return letters;
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
