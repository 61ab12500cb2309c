package io.hookshard.bench;

import io.hookshard.core.Envelope;
import io.hookshard.core.EventType;
import io.hookshard.core.PayloadSchemas;
import io.hookshard.kafka.TopicInitializer;
import io.hookshard.config.TopicsFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** The sink: topics pre-filled with envelopes, then the consumers started and timed until all is committed. */
final class SinkRun {
    record Result(String name, long records, long distinctEvents, double prefillSeconds, double seconds) {
        double eventsPerSecond() {
            return records / seconds;
        }
    }

    private SinkRun() {
    }

    static Result run(BenchStack stack, String name, long records, int users, double duplicateShare,
                      Runnable progress) throws Exception {
        BenchStack.Deployment deployment = stack.newDeployment();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
            TopicsFactory topics = new TopicsFactory();
            topics.setOrders(deployment.ordersTopic());
            topics.setDisputes(deployment.disputesTopic());
            topics.setPartitions(6);
            new TopicInitializer(admin, topics).ensureTopics();
        }
        long started = System.nanoTime();
        long distinct = prefill(stack.bootstrapServers(), deployment.ordersTopic(), records, users, duplicateShare);
        double prefillSeconds = (System.nanoTime() - started) / 1e9;
        Bench.log("%s: %,d envelopes (%,d distinct events) in the topic after %.1f s; starting the consumers",
                name, records, distinct, prefillSeconds);

        long consumeStart = System.nanoTime();
        var app = stack.startService(deployment, 3);
        String group = "hookshard-" + deployment.namespace();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
            while (lag(admin, group, deployment.ordersTopic()) > 0) {
                progress.run();
                Thread.sleep(250);
            }
        }
        double seconds = (System.nanoTime() - consumeStart) / 1e9;
        stack.stop(app);
        long stored = 0;
        for (String url : deployment.shardUrls()) {
            stored += count(url, "SELECT count(*) FROM order_events");
        }
        if (stored != distinct) {
            throw new IllegalStateException(name + ": " + stored + " events stored, " + distinct + " expected");
        }
        return new Result(name, records, distinct, prefillSeconds, seconds);
    }

    private static long prefill(String bootstrap, String topic, long records, int users, double duplicateShare)
            throws Exception {
        Random random = new Random(7);
        java.util.BitSet produced = new java.util.BitSet();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
                ProducerConfig.BUFFER_MEMORY_CONFIG, 256L * 1024 * 1024,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
            String run = "sink" + System.nanoTime();
            String receivedAt = Instant.now().toString();
            // As ingest writes them: checked against this release's schema, which the consumers then trust.
            String schema = new PayloadSchemas().version(EventType.ORDER_PAYMENT);
            for (long i = 0; i < records; i++) {
                // A duplicate repeats an earlier event byte for byte, as a provider's retry or a redelivery would.
                // (An earlier position may itself have been a duplicate; the events really sent are counted below.)
                long event = i > 0 && random.nextDouble() < duplicateShare ? (long) (random.nextDouble() * i) : i;
                produced.set((int) event);
                String user = "user-" + (event % users);
                String value = "{\"event_id\":\"" + Envelope.eventIdOf(EventType.ORDER_PAYMENT, "evt-" + run + "-" + event)
                        + "\",\"key\":\"" + user + "\",\"type\":\"payment.order\",\"received_at\":\"" + receivedAt
                        + "\",\"schema\":\"" + schema + "\",\"payload\":" + SignedRequests.body(run, event, users) + "}";
                producer.send(new ProducerRecord<>(topic, user.getBytes(StandardCharsets.UTF_8),
                        value.getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
        }
        return produced.cardinality();
    }

    static long lag(Admin admin, String group, String topic) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic)
                .partitions().stream().collect(Collectors.toMap(info -> new TopicPartition(topic, info.partition()),
                        info -> OffsetSpec.latest()));
        long lag = 0;
        for (var end : admin.listOffsets(partitions).all().get(10, TimeUnit.SECONDS).entrySet()) {
            OffsetAndMetadata done = committed.get(end.getKey());
            lag += end.getValue().offset() - (done == null ? 0 : done.offset());
        }
        return lag;
    }

    static long count(String url, String sql) throws Exception {
        try (Connection connection = DriverManager.getConnection(url, "postgres", "");
             Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
