package io.hookshard.tasks;

import io.dropwizard.servlets.tasks.Task;
import io.hookshard.config.TopicsFactory;
import io.hookshard.consume.DeadLetters;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code POST /tasks/dlq-replay[?topic=T&reason=R&event_id=E&from=ISO&to=ISO&limit=N&dry_run=true]}: re-publishes
 * dead-lettered records, byte for byte, to the topic they first arrived on, printing each one. Filters combine;
 * from/to bound the last failure time. The dead-letter headers are dropped (a replay starts afresh) and
 * {@code hookshard-replayed-from} is added. An event that was already applied stays a no-op when replayed, so the
 * task is safe to run twice; the dead-letter topic itself is left as it is.
 */
public final class DlqReplayTask extends Task {
    public static final String REPLAYED_FROM = "hookshard-replayed-from";

    private final Map<String, Object> consumerProperties;
    private final Producer<byte[], byte[]> producer;
    private final List<String> topics;
    private final Duration ackTimeout;

    /** @param topics the webhook topics whose dead letters may be replayed */
    public DlqReplayTask(String bootstrapServers, Producer<byte[], byte[]> producer, List<String> topics,
                         Duration ackTimeout) {
        super("dlq-replay");
        this.consumerProperties = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG, "hookshard-dlq-replay",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        this.producer = producer;
        this.topics = List.copyOf(topics);
        this.ackTimeout = ackTimeout;
    }

    private record Filter(String reason, String eventId, Instant from, Instant to, int limit) {
        boolean matches(ConsumerRecord<byte[], byte[]> record) {
            if (reason != null && !reason.equals(DeadLetters.header(record.headers(), DeadLetters.ERROR_CLASS))) {
                return false;
            }
            if (eventId != null && !eventId.equals(DeadLetters.header(record.headers(), DeadLetters.EVENT_ID))) {
                return false;
            }
            String failedAt = DeadLetters.header(record.headers(), DeadLetters.LAST_FAILURE_AT);
            Instant failed = failedAt == null ? Instant.ofEpochMilli(record.timestamp()) : Instant.parse(failedAt);
            return (from == null || !failed.isBefore(from)) && (to == null || failed.isBefore(to));
        }
    }

    @Override
    public void execute(Map<String, List<String>> parameters, PrintWriter output) throws Exception {
        String topic = TaskParameters.string(parameters, "topic");
        if (topic != null && !topics.contains(topic)) {
            throw new IllegalArgumentException("topic must be one of " + topics + ", got " + topic);
        }
        Filter filter = new Filter(TaskParameters.string(parameters, "reason"),
                TaskParameters.string(parameters, "event_id"), instant(parameters, "from"), instant(parameters, "to"),
                TaskParameters.integer(parameters, "limit", Integer.MAX_VALUE, 1, Integer.MAX_VALUE));
        boolean dryRun = TaskParameters.flag(parameters, "dry_run");
        int matched = 0;
        int scanned = 0;
        for (String source : topic == null ? topics : List.of(topic)) {
            String dlq = TopicsFactory.deadLetterTopic(source);
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties)) {
                List<TopicPartition> partitions = consumer.partitionsFor(dlq, Duration.ofSeconds(10)).stream()
                        .map(info -> new TopicPartition(dlq, info.partition())).toList();
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(10));
                while (matched < filter.limit() && partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                        if (record.offset() >= end.get(new TopicPartition(record.topic(), record.partition()))) {
                            continue;
                        }
                        scanned++;
                        if (matched < filter.limit() && filter.matches(record)) {
                            matched++;
                            replay(record, dryRun, output);
                        }
                    }
                }
            }
        }
        output.printf("done: %d of %d dead letter(s) matched, %s%n", matched, scanned,
                dryRun ? "dry run: nothing was sent" : matched + " replayed");
        output.flush();
    }

    private void replay(ConsumerRecord<byte[], byte[]> record, boolean dryRun, PrintWriter output) throws Exception {
        String target = DeadLetters.header(record.headers(), DeadLetters.ORIGINAL_TOPIC);
        output.printf("%s %s-%d@%d event_id=%s reason=%s attempts=%s -> %s%n", dryRun ? "would replay" : "replaying",
                record.topic(), record.partition(), record.offset(),
                DeadLetters.header(record.headers(), DeadLetters.EVENT_ID),
                DeadLetters.header(record.headers(), DeadLetters.ERROR_CLASS),
                DeadLetters.header(record.headers(), DeadLetters.ATTEMPTS), target);
        output.flush();
        if (dryRun) {
            return;
        }
        RecordHeaders headers = new RecordHeaders();
        for (Header header : record.headers()) {
            if (!header.key().startsWith("hookshard-")) {
                headers.add(header);
            }
        }
        headers.add(REPLAYED_FROM, (record.topic() + "-" + record.partition() + "@" + record.offset())
                .getBytes(StandardCharsets.UTF_8));
        producer.send(new ProducerRecord<>(target, null, record.key(), record.value(), headers))
                .get(ackTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static Instant instant(Map<String, List<String>> parameters, String name) {
        String value = TaskParameters.string(parameters, name);
        try {
            return value == null ? null : Instant.parse(value);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(name + " must be an ISO-8601 instant such as 2026-11-23T10:00:00Z");
        }
    }
}
