package io.hookshard.support;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** Facts about topics, read with an admin client. */
public final class Topics {
    private Topics() {
    }

    /**
     * How many offsets the topic has ever used (sum of log end offsets); 0 when it does not exist. On a topic written
     * in transactions (dead letters, parked records) this counts aborted records and commit markers too: count those
     * with {@link #committedRecordCount}.
     */
    public static long recordCount(String bootstrapServers, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            if (!admin.listTopics().names().get(10, TimeUnit.SECONDS).contains(topic)) {
                return 0;
            }
            var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS)
                    .get(topic).partitions().stream()
                    .collect(Collectors.toMap(info -> new TopicPartition(topic, info.partition()),
                            info -> OffsetSpec.latest()));
            return admin.listOffsets(partitions).all().get(10, TimeUnit.SECONDS).values().stream()
                    .mapToLong(info -> info.offset()).sum();
        }
    }

    /** How many records of committed transactions (or none) the topic holds, as read_committed readers see it. */
    public static long committedRecordCount(String bootstrapServers, String topic) throws Exception {
        return records(bootstrapServers, topic).size();
    }

    /** How many records the topic holds under {@code key}, read from the beginning; 0 when it does not exist. */
    public static long recordsWithKey(String bootstrapServers, String topic, String key) throws Exception {
        return records(bootstrapServers, topic, key).size();
    }

    /** The records the topic holds under {@code key}, in partition and offset order. */
    public static List<ConsumerRecord<byte[], byte[]>> records(String bootstrapServers, String topic, String key)
            throws Exception {
        byte[] wanted = key.getBytes(StandardCharsets.UTF_8);
        return records(bootstrapServers, topic).stream().filter(record -> Arrays.equals(record.key(), wanted))
                .toList();
    }

    /**
     * Every record of the topic, read from the beginning to the end offsets of now, as read_committed readers see it
     * (no record of an aborted transaction); none when it does not exist.
     */
    public static List<ConsumerRecord<byte[], byte[]>> records(String bootstrapServers, String topic) throws Exception {
        List<ConsumerRecord<byte[], byte[]>> found = new ArrayList<>();
        if (recordCount(bootstrapServers, topic) == 0) {
            return found;
        }
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                // Dead letters and parked records are written in transactions; an aborted one never counts.
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end in 20 s");
                }
                consumer.poll(Duration.ofMillis(200)).forEach(found::add);
            }
        }
        found.sort(Comparator.comparingInt((ConsumerRecord<byte[], byte[]> r) -> r.partition())
                .thenComparingLong(ConsumerRecord::offset));
        return found;
    }
}
