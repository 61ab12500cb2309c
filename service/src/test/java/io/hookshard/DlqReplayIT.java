package io.hookshard;

import io.hookshard.support.TestApp;
import io.hookshard.support.Topics;
import io.hookshard.support.Webhooks;
import io.hookshard.tasks.DlqReplayTask;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** dlq-replay sends each dead letter once, and a replayed record that fails again keeps its history. */
class DlqReplayIT {
    // The dead-letter headers as README documents them, spelled out: they are the contract with operators' tools.
    private static final String ORIGINAL_TOPIC = "hookshard-original-topic";
    private static final String ORIGINAL_PARTITION = "hookshard-original-partition";
    private static final String ORIGINAL_OFFSET = "hookshard-original-offset";
    private static final String ATTEMPTS = "hookshard-attempts";
    private static final String FIRST_FAILURE_AT = "hookshard-first-failure-at";
    private static final String LAST_FAILURE_AT = "hookshard-last-failure-at";
    private static final String ERROR_CLASS = "hookshard-error-class";
    private static final String ERROR_MESSAGE = "hookshard-error-message";

    private final Webhooks provider = new Webhooks(TestApp.SECRET);

    @Test
    void twoRunsSendEachDeadLetterOnceAndWhatFailsAgainKeepsItsOriginAndCountsOneMoreAttempt() throws Exception {
        try (TestApp app = TestApp.onSharedInfrastructure().start()) {
            String source = app.ordersTopic();
            String dlq = source + ".dlq";
            Map<String, RecordMetadata> poison = new HashMap<>();
            for (int i = 0; i < 4; i++) {
                String key = Webhooks.randomId("user");
                poison.put(key, produce(app, key, "{not an envelope " + i));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> Topics.committedRecordCount(app.bootstrapServers(), dlq) == 4);
            Map<String, ConsumerRecord<byte[], byte[]>> first = byKey(readAll(app, dlq));

            assertThat(task(app, "dlq-replay")).contains("done: 4 of 4 dead letter(s) matched, 4 replayed;"
                    + " skipped 0 replayed before, 0 that failed again after a replay");
            assertThat(Topics.recordCount(app.bootstrapServers(), source)).isEqualTo(8);
            await().atMost(Duration.ofSeconds(30)).until(() -> Topics.committedRecordCount(app.bootstrapServers(), dlq) == 8);

            assertThat(task(app, "dlq-replay")).contains("done: 0 of 8 dead letter(s) matched, 0 replayed;"
                    + " skipped 4 replayed before, 4 that failed again after a replay"
                    + " (include them with include_failed_replays=true)");
            assertThat(Topics.recordCount(app.bootstrapServers(), source)).isEqualTo(8);
            assertThat(Topics.committedRecordCount(app.bootstrapServers(), dlq)).isEqualTo(8);
            assertThat(Topics.recordCount(app.bootstrapServers(), source + ".dlq.replayed")).isEqualTo(4);

            List<ConsumerRecord<byte[], byte[]>> again = readAll(app, dlq).stream()
                    .filter(record -> header(record, DlqReplayTask.REPLAYED_FROM) != null).toList();
            assertThat(again).hasSize(4);
            for (ConsumerRecord<byte[], byte[]> record : again) {
                String key = new String(record.key(), StandardCharsets.UTF_8);
                RecordMetadata original = poison.get(key);
                ConsumerRecord<byte[], byte[]> earlier = first.get(key);
                assertThat(header(record, ORIGINAL_TOPIC)).isEqualTo(source);
                assertThat(header(record, ORIGINAL_PARTITION)).isEqualTo(Integer.toString(original.partition()));
                assertThat(header(record, ORIGINAL_OFFSET)).isEqualTo(Long.toString(original.offset()));
                assertThat(header(record, ATTEMPTS)).isEqualTo("2");
                assertThat(header(record, FIRST_FAILURE_AT))
                        .isEqualTo(header(earlier, FIRST_FAILURE_AT));
                assertThat(Instant.parse(header(record, LAST_FAILURE_AT)))
                        .isAfter(Instant.parse(header(earlier, LAST_FAILURE_AT)));
                assertThat(header(record, ERROR_CLASS)).isEqualTo("undecodable_envelope");
                assertThat(header(record, DlqReplayTask.REPLAYED_FROM))
                        .isEqualTo(dlq + "-" + earlier.partition() + "@" + earlier.offset());
            }
            // On the way back, the replayed record carried no trace of the failure it was dead-lettered for.
            for (ConsumerRecord<byte[], byte[]> replayed : readAll(app, source)) {
                if (header(replayed, DlqReplayTask.REPLAYED_FROM) != null) {
                    assertThat(header(replayed, ATTEMPTS)).isEqualTo("1");
                    assertThat(header(replayed, ERROR_CLASS)).isNull();
                    assertThat(header(replayed, ERROR_MESSAGE)).isNull();
                    assertThat(header(replayed, LAST_FAILURE_AT)).isNull();
                }
            }

            assertThat(task(app, "dlq-replay?include_failed_replays=true"))
                    .contains("done: 4 of 8 dead letter(s) matched, 4 replayed; skipped 4 replayed before");
            await().atMost(Duration.ofSeconds(30)).until(() -> Topics.committedRecordCount(app.bootstrapServers(), dlq) == 12);
            assertThat(readAll(app, dlq).subList(8, 12)).allSatisfy(record ->
                    assertThat(header(record, ATTEMPTS)).isEqualTo("3"));
        }
    }

    @Test
    void aDeadLetterOneRunsFilterLeftOutIsReplayedByALaterRunAndADryRunWritesNothing() throws Exception {
        try (TestApp app = TestApp.onSharedInfrastructure().start()) {
            String source = app.ordersTopic();
            String dlq = source + ".dlq";
            for (int i = 0; i < 2; i++) {
                String user = Webhooks.randomId("user");
                produce(app, user, "{not an envelope " + i);
                produce(app, user, envelope(user, "{\"provider_event_id\":\"evt-bad\",\"user_id\":\"" + user + "\"}"));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> Topics.committedRecordCount(app.bootstrapServers(), dlq) == 4);

            assertThat(task(app, "dlq-replay?dry_run=true")).contains("would replay")
                    .contains("done: 4 of 4 dead letter(s) matched, dry run: nothing was sent");
            assertThat(Topics.recordCount(app.bootstrapServers(), source + ".dlq.replayed")).isZero();
            assertThat(Topics.recordCount(app.bootstrapServers(), source)).isEqualTo(4);

            String filtered = task(app, "dlq-replay?reason=schema_violation");
            assertThat(filtered).contains("done: 2 of 4 dead letter(s) matched, 2 replayed")
                    .contains("reason=schema_violation").doesNotContain("reason=undecodable_envelope");
            assertThat(Topics.recordCount(app.bootstrapServers(), source)).isEqualTo(6);
            await().atMost(Duration.ofSeconds(30)).until(() -> Topics.committedRecordCount(app.bootstrapServers(), dlq) == 6);

            String rest = task(app, "dlq-replay");
            assertThat(rest).contains("done: 2 of 6 dead letter(s) matched, 2 replayed;"
                            + " skipped 2 replayed before, 2 that failed again after a replay")
                    .contains("reason=undecodable_envelope").doesNotContain("reason=schema_violation");
            assertThat(Topics.recordCount(app.bootstrapServers(), source)).isEqualTo(8);
            await().atMost(Duration.ofSeconds(30)).until(() -> Topics.committedRecordCount(app.bootstrapServers(), dlq) == 8);
            assertThat(task(app, "dlq-replay")).contains("0 replayed;");
        }
    }

    @Test
    void aRunOnAnotherInstanceKeepsThisOneFromStartingUntilItEnds() throws Exception {
        try (TestApp app = TestApp.onSharedInfrastructure().start()) {
            HttpRequest replay = HttpRequest.newBuilder(app.adminUrl("/tasks/dlq-replay"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build();
            // What another instance's run holds on the catalog shard: "hookdlqr" in ASCII, as an operator sees it.
            try (Handle otherRun = Jdbi.create(app.shardUrls().get(0), "postgres", "").open()) {
                otherRun.execute("SELECT pg_advisory_lock(?)", 0x686f6f6b646c7172L);

                HttpResponse<String> refused = provider.send(replay);

                assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
                assertThat(refused.body()).contains("a dlq-replay is already running on another instance");
            }
            HttpResponse<String> ran = provider.send(replay);
            assertThat(ran.statusCode()).as(ran.body()).isEqualTo(200);
            assertThat(ran.body()).contains("done: 0 of 0 dead letter(s) matched");
        }
    }

    private String task(TestApp app, String pathAndQuery) throws Exception {
        HttpResponse<String> response = provider.send(HttpRequest.newBuilder(app.adminUrl("/tasks/" + pathAndQuery))
                .POST(HttpRequest.BodyPublishers.noBody()).build());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }

    private static String envelope(String key, String payload) {
        return """
                {"event_id":"%s","key":"%s","type":"payment.order","received_at":"%s","payload":%s}"""
                .formatted(UUID.randomUUID(), key, Instant.now(), payload);
    }

    private static RecordMetadata produce(TestApp app, String key, String value) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, app.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
            return producer.send(new ProducerRecord<>(app.ordersTopic(), key.getBytes(StandardCharsets.UTF_8),
                    value.getBytes(StandardCharsets.UTF_8))).get();
        }
    }

    /** Every record of {@code topic}, in the order they were written (by timestamp, then partition and offset). */
    private static List<ConsumerRecord<byte[], byte[]>> readAll(TestApp app, String topic) {
        List<ConsumerRecord<byte[], byte[]>> found = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, app.bootstrapServers(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(found::add);
            }
        }
        found.sort(Comparator.<ConsumerRecord<byte[], byte[]>>comparingLong(ConsumerRecord::timestamp)
                .thenComparingInt(ConsumerRecord::partition).thenComparingLong(ConsumerRecord::offset));
        return found;
    }

    /** The first record of each key. */
    private static Map<String, ConsumerRecord<byte[], byte[]>> byKey(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().collect(Collectors.toMap(record -> new String(record.key(), StandardCharsets.UTF_8),
                Function.identity(), (a, b) -> a));
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
