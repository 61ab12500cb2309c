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
import java.nio.file.Files;
import java.nio.file.Path;
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

/**
 * The sink: a topic pre-filled with envelopes, then the service started as a process of its own (the runnable jar,
 * consumers and outbox relay on, ingest idle) and timed from its launch until its consumer group has committed every
 * offset. The stored events are counted on the shards and must be exactly the distinct events produced.
 */
final class SinkRun {
    /**
     * One sink run: {@code seconds} from the service's launch until the group's lag is 0 ({@code startSeconds} of
     * them before it listened), {@code preStored} events already on the shards before it; {@code cpuPerRecord}: the
     * microseconds of CPU per record of the service, the broker, each shard and the rest, and the machine's busy cores.
     */
    record Result(String name, long records, long distinctEvents, double prefillSeconds, double seconds,
                  double startSeconds, long preStored, Map<String, Double> cpuPerRecord, double busyCores,
                  String loadBefore) {
        double eventsPerSecond() {
            return records / seconds;
        }

        double cpuMicrosPerRecord() {
            return cpuPerRecord.getOrDefault(SERVICE, 0.0);
        }

        /** e.g. "service 54 us, broker 12 us, shard bench-a 40 us, ...; 1.96 cores busy" */
        String cpuSummary() {
            return Cpu.describe(cpuPerRecord) + String.format("; %.2f cores busy", busyCores);
        }
    }

    private static final String SERVICE = "service";

    /** A pre-filled topic, shared by the runs that consume it (each with a group and databases of its own). */
    record Topic(String name, long records, long distinctEvents, double seconds) {
    }

    private SinkRun() {
    }

    /** Creates a topic of its own (6 partitions, as the service's) and fills it with {@code records} envelopes. */
    static Topic prefill(BenchStack stack, long records, int users, double duplicateShare) throws Exception {
        String name = "sink." + java.util.UUID.randomUUID().toString().substring(0, 8);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
            TopicsFactory topics = new TopicsFactory();
            topics.setOrders(name);
            topics.setDisputes(name + ".disputes");
            topics.setPartitions(6);
            new TopicInitializer(admin, topics).ensureTopics();
        }
        long started = System.nanoTime();
        long distinct = prefill(stack.bootstrapServers(), name, records, users, duplicateShare);
        double seconds = (System.nanoTime() - started) / 1e9;
        Bench.log("sink: %,d envelopes (%,d distinct events) in %s after %.1f s", records, distinct, name, seconds);
        return new Topic(name, records, distinct, seconds);
    }

    /**
     * Consumes {@code topic} into {@code deployment}'s databases, which hold {@code preStored} events already, with
     * the service as a process of its own; checks that every distinct event was stored once and, once the relays are
     * done, published downstream once.
     */
    static Result consume(BenchStack stack, String name, Topic topic, BenchStack.Deployment deployment,
                          long preStored, Path logs, Path jfr, Report report) throws Exception {
        String loadBefore = Files.readString(Path.of("/proc/loadavg")).strip();
        ShardStatements.reset(deployment.shardUrls());
        String group = "hookshard-" + deployment.namespace();
        Map<String, Long> processes = new java.util.LinkedHashMap<>();
        Map<String, Long> cpuBefore = Cpu.byTree(stack.serverProcesses());
        long launched = System.nanoTime();
        double seconds;
        double startSeconds;
        Map<String, Long> cpuAfter;
        Instant from;
        Instant to;
        try (Target service = stack.startServiceProcess(deployment, topic.name(), 3, true,
                logs.resolve("sink-" + deployment.namespace() + ".log"), jfr)) {
            startSeconds = (System.nanoTime() - launched) / 1e9;
            processes.put(SERVICE, service.pid());
            processes.putAll(stack.serverProcesses());
            from = Instant.now();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
                long lastLog = System.nanoTime();
                long lag;
                while ((lag = lag(admin, group, topic.name())) > 0) {
                    if (System.nanoTime() - lastLog > 10_000_000_000L) {
                        lastLog = System.nanoTime();
                        Bench.log("  %s: %,d records still to consume", name, lag);
                    }
                    Thread.sleep(100);
                }
            }
            seconds = (System.nanoTime() - launched) / 1e9;
            to = Instant.now();
            cpuAfter = Cpu.byTree(processes);
            awaitRelays(name, deployment);
        }
        if (jfr != null && Files.exists(jfr)) {
            report.profile(name, Profiler.read(jfr, from, to));
        }
        report.shardStatements(name, ShardStatements.top(deployment.shardUrls(), 8));
        long stored = 0;
        long outbox = 0;
        for (String url : deployment.shardUrls()) {
            stored += count(url, "SELECT count(*) FROM order_events");
            outbox += count(url, "SELECT count(*) FROM outbox");
        }
        long published;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
            published = records(admin, deployment.eventsTopic());
        }
        // Every benchmark event creates an order of its own: one stored event and one downstream event each (its
        // outbox row is kept for the retention, or deleted as it is published with a retention of zero).
        if (stored != preStored + topic.distinctEvents() || published != topic.distinctEvents()) {
            throw new IllegalStateException(name + ": " + stored + " events stored (" + outbox + " outbox rows) and "
                    + published + " downstream events published; " + (preStored + topic.distinctEvents())
                    + " events and " + topic.distinctEvents() + " downstream events expected");
        }
        return new Result(name, topic.records(), topic.distinctEvents(), topic.seconds(), seconds, startSeconds,
                preStored, Cpu.perUnit(cpuBefore, cpuAfter, topic.records()),
                Cpu.busyCores(cpuBefore, cpuAfter, seconds), loadBefore);
    }

    /** A producer for pre-filling topics: acks=all, as ingest produces, batched large since nobody waits on it. */
    static KafkaProducer<byte[], byte[]> prefillProducer(String bootstrap) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
                ProducerConfig.BUFFER_MEMORY_CONFIG, 256L * 1024 * 1024,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
    }

    private static long prefill(String bootstrap, String topic, long records, int users, double duplicateShare)
            throws Exception {
        Random random = new Random(7);
        java.util.BitSet produced = new java.util.BitSet();
        try (KafkaProducer<byte[], byte[]> producer = prefillProducer(bootstrap)) {
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

    /** Waits until the relays published every outbox row: the downstream events are counted after the run. */
    private static void awaitRelays(String name, BenchStack.Deployment deployment) throws Exception {
        long deadline = System.nanoTime() + 120_000_000_000L;
        long unpublished;
        while ((unpublished = unpublished(deployment)) > 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + ": " + unpublished + " outbox rows still unpublished after 120 s");
            }
            Thread.sleep(100);
        }
    }

    static long unpublished(BenchStack.Deployment deployment) throws Exception {
        long unpublished = 0;
        for (String url : deployment.shardUrls()) {
            unpublished += count(url, "SELECT count(*) FROM outbox WHERE published_at IS NULL");
        }
        return unpublished;
    }

    /** The records of a topic: the sum of its partitions' end offsets (its producers are not transactional). */
    private static long records(Admin admin, String topic) throws Exception {
        return endOffsets(admin, topic).values().stream().mapToLong(Long::longValue).sum();
    }

    static long lag(Admin admin, String group, String topic) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        long lag = 0;
        for (var end : endOffsets(admin, topic).entrySet()) {
            OffsetAndMetadata done = committed.get(end.getKey());
            lag += end.getValue() - (done == null ? 0 : done.offset());
        }
        return lag;
    }

    private static Map<TopicPartition, Long> endOffsets(Admin admin, String topic) throws Exception {
        var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic)
                .partitions().stream().collect(Collectors.toMap(info -> new TopicPartition(topic, info.partition()),
                        info -> OffsetSpec.latest()));
        return admin.listOffsets(partitions).all().get(10, TimeUnit.SECONDS).entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, end -> end.getValue().offset()));
    }

    static long count(String url, String sql) throws Exception {
        try (Connection connection = DriverManager.getConnection(url, "postgres", "");
             Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
