package io.hookshard.consume;

import com.codahale.metrics.MetricRegistry;
import io.hookshard.config.ConsumersFactory;
import io.hookshard.config.KafkaFactory;
import io.hookshard.core.EnvelopeCodec;
import io.hookshard.core.EventType;
import io.hookshard.processing.EventSink;
import io.hookshard.processing.Outcome;
import io.hookshard.support.TestApp;
import io.hookshard.support.TestInfrastructure;
import io.hookshard.support.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * On the real broker: a worker that stalls right after the broker committed its dead letter, before it did anything
 * else, is thrown out of the group (max.poll.interval), and the worker that takes its partition over reads on from
 * the offset committed with the dead letter, so the poison record is on the dead-letter topic exactly once.
 */
class SetAsideExactlyOnceIT {
    private static final byte[] POISON = {(byte) 0xfe, (byte) 0xff, 0, '{'};

    private final String bootstrapServers = TestInfrastructure.shared().bootstrapServers();
    private final String topic = "orders.webhooks." + TestApp.newNamespace();
    private final String group = "hookshard-" + UUID.randomUUID();
    private final TopicPartition partition = new TopicPartition(topic, 0);
    private final List<Error> fatal = new CopyOnWriteArrayList<>();

    @Test
    void aWorkerThatStallsRightAfterItsDeadLetterCommittedLeavesItOnTheDeadLetterTopicOnce() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1), new NewTopic(topic + ".dlq", 1, (short) 1)))
                    .all().get(30, TimeUnit.SECONDS);
            produce("poison-1");
            CountDownLatch stalled = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            // Worker a: its set-aside producer stalls once the broker committed, as a process frozen (or killed)
            // between the transaction's commit and its next step would.
            KafkaConsumer<byte[], byte[]> consumerA = new KafkaConsumer<>(consumerProperties("a", 3_000));
            ConsumerWorker a = worker("a", consumerA, () -> new KafkaProducer<>(producerProperties("a")) {
                @Override
                public void commitTransaction() {
                    super.commitTransaction();
                    stalled.countDown();
                    try {
                        release.await(2, TimeUnit.MINUTES);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            Thread threadA = new Thread(a, a.name());
            threadA.start();
            assertThat(stalled.await(60, TimeUnit.SECONDS)).as("worker a dead-lettered poison-1").isTrue();

            // Worker b takes the partition over once a missed its poll interval, and reads on from the group's offset.
            produce("poison-2");
            KafkaConsumer<byte[], byte[]> consumerB = new KafkaConsumer<>(consumerProperties("b", 300_000));
            ConsumerWorker b = worker("b", consumerB, () -> new KafkaProducer<>(producerProperties("b")));
            Thread threadB = new Thread(b, b.name());
            threadB.start();
            await().atMost(Duration.ofSeconds(90)).until(() -> deadLetters().contains("poison-2"));

            release.countDown();
            a.shutdown();
            b.shutdown();
            threadA.join(30_000);
            threadB.join(30_000);

            assertThat(deadLetters()).containsExactlyInAnyOrder("poison-1", "poison-2");
            assertThat(committed(admin)).isEqualTo(2);
            assertThat(fatal).isEmpty();
        }
    }

    @Test
    void theCommitOfATopicWrittenInTransactionsPassesItsLastCommitMarkerSoItsLagReachesZero() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1), new NewTopic(topic + ".dlq", 1, (short) 1)))
                    .all().get(30, TimeUnit.SECONDS);
            // Written like a parking topic: in a transaction, whose commit marker takes the offset after its record.
            try (Producer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties("writer"))) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(topic, 0, "poison-1".getBytes(StandardCharsets.UTF_8), POISON));
                producer.commitTransaction();
            }
            // The record and its commit marker, which the coordinator writes just after the commit returned.
            long end = 2;
            await().atMost(Duration.ofSeconds(30)).until(() -> admin.listOffsets(Map.of(partition,
                    org.apache.kafka.clients.admin.OffsetSpec.latest())).partitionResult(partition)
                    .get(10, TimeUnit.SECONDS).offset() == end);

            ConsumerWorker worker = worker("a", new KafkaConsumer<>(consumerProperties("a", 300_000)),
                    () -> new KafkaProducer<>(producerProperties("a")));
            Thread thread = new Thread(worker, worker.name());
            thread.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> committed(admin) == end);
            worker.shutdown();
            thread.join(30_000);

            assertThat(deadLetters()).containsExactly("poison-1");
            assertThat(fatal).isEmpty();
        }
    }

    /** The keys on the dead-letter topic, as read_committed readers see them. */
    private List<String> deadLetters() throws Exception {
        return Topics.records(bootstrapServers, topic + ".dlq").stream()
                .map(record -> new String(record.key(), StandardCharsets.UTF_8)).toList();
    }

    private long committed(Admin admin) throws Exception {
        OffsetAndMetadata offset = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                .get(10, TimeUnit.SECONDS).get(partition);
        return offset == null ? 0 : offset.offset();
    }

    private void produce(String key) throws Exception {
        try (Producer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
            producer.send(new ProducerRecord<>(topic, 0, key.getBytes(StandardCharsets.UTF_8), POISON))
                    .get(10, TimeUnit.SECONDS);
        }
    }

    /** The service's own consumer properties, with a poll interval short enough for a stall to cost the partition. */
    private Map<String, Object> consumerProperties(String name, int maxPollIntervalMs) {
        ConsumersFactory factory = new ConsumersFactory();
        factory.setGroupId(group);
        Map<String, Object> props = new java.util.HashMap<>(factory.consumerProperties(bootstrapServers,
                "kafka-" + topic + "-" + name));
        props.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, maxPollIntervalMs);
        return props;
    }

    /** The service's own transactional producer properties; a and b are like two instances. */
    private Map<String, Object> producerProperties(String name) {
        KafkaFactory factory = new KafkaFactory();
        factory.setBootstrapServers(bootstrapServers);
        return factory.transactionalProducerProperties("kafka-" + topic + "-" + name,
                "hookshard-kafka-" + topic + "-" + name + "-" + UUID.randomUUID());
    }

    private ConsumerWorker worker(String name, KafkaConsumer<byte[], byte[]> consumer,
                                  Supplier<Producer<byte[], byte[]>> producers) {
        MetricRegistry metrics = new MetricRegistry();
        Progress progress = new Progress();
        SetAsides setAsides = new SetAsides(producers, consumer, progress::committed);
        DeadLetters deadLetters = new DeadLetters();
        RecordHandler handler = new RecordHandler(new EnvelopeCodec(), new PoisonOnlySink(), deadLetters,
                new Parking(deadLetters, java.time.Clock.systemUTC()), setAsides, metrics, topic, true,
                Duration.ZERO);
        String workerName = "kafka-" + topic + "-" + name;
        return new ConsumerWorker(new WorkerSettings(workerName, topic, Duration.ofMillis(100), 100,
                Duration.ofHours(1)), consumer, new RetryingFlow(workerName, progress, handler,
                new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1)), 100, System::nanoTime), setAsides,
                new ConsumerControl(), new ConsumerWorker.Observers(new LagTracker(metrics),
                metrics.counter("deleted-unapplied")), fatal::add);
    }

    /** Only undecodable records are sent here, which never reach a sink. */
    private static final class PoisonOnlySink implements EventSink {
        @Override
        public EventType type() {
            return EventType.ORDER_PAYMENT;
        }

        @Override
        public List<Outcome> apply(List<io.hookshard.core.Envelope> envelopes) {
            throw new AssertionError("no record of this test decodes");
        }
    }
}
