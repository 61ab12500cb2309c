package io.hookshard.tasks;

import io.dropwizard.servlets.tasks.Task;
import io.hookshard.config.TopicsFactory;
import io.hookshard.consume.DeadLetters;
import io.hookshard.db.SessionLock;
import io.hookshard.errors.AlreadyRunning;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jdbi.v3.core.Jdbi;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code POST /tasks/dlq-replay[?topic=T&reason=R&event_id=E&from=ISO&to=ISO&limit=N&dry_run=true
 * &include_failed_replays=true]}: re-publishes dead letters, byte for byte, to the topic they first arrived on,
 * printing each one. Filters combine; from/to bound the last failure time.
 *
 * <p>Each dead letter is sent once: after the broker acknowledged a replayed record, a marker keyed by the dead
 * letter's {@code <partition>@<offset>} goes to the compacted {@code <topic>.dlq.replayed}, and every run skips the
 * dead letters it finds marked. A record a filter left out has no marker, so a later run still replays it. A crash
 * between the ack and the marker makes a later run send that record again, which the consumers' idempotency absorbs.
 * A replayed record that fails again comes back as a new dead letter carrying {@code hookshard-replayed-from}; those
 * are skipped unless {@code include_failed_replays=true}, so that running the task twice does not loop poison
 * records through the topics.
 *
 * <p>The replayed record keeps where it first arrived, its attempt count, first failure and event id and type, so a
 * new failure is dead-lettered with the original coordinates and one more attempt; the other {@code hookshard-}
 * headers (error, last failure, parking) are dropped and {@code hookshard-replayed-from} names the dead letter.
 */
public final class DlqReplayTask extends Task {
    public static final String REPLAYED_FROM = "hookshard-replayed-from";
    private static final String HEADER_PREFIX = "hookshard-";
    private static final Set<String> KEPT_HEADERS = Set.of(DeadLetters.ORIGINAL_TOPIC, DeadLetters.ORIGINAL_PARTITION,
            DeadLetters.ORIGINAL_OFFSET, DeadLetters.ATTEMPTS, DeadLetters.FIRST_FAILURE_AT, DeadLetters.EVENT_ID,
            DeadLetters.EVENT_TYPE);
    private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(10);

    private final Map<String, Object> consumerProperties;
    private final Producer<byte[], byte[]> producer;
    private final List<String> topics;
    private final Duration ackTimeout;
    /**
     * "hookdlqr" in ASCII: a session advisory lock on the catalog database, held for a run. Two runs at once, on one
     * instance or two, would both miss each other's markers and send the same dead letters, and what failed again
     * would be dead-lettered twice.
     */
    static final long REPLAY_LOCK = 0x686f6f6b646c7172L;
    private final Jdbi catalog;
    // Within the instance too: the second run is told at once, without taking a catalog connection.
    private final ReentrantLock running = new ReentrantLock();

    /** @param topics the webhook topics whose dead letters may be replayed */
    public DlqReplayTask(String bootstrapServers, Producer<byte[], byte[]> producer, List<String> topics,
                         Duration ackTimeout, Jdbi catalog) {
        super("dlq-replay");
        this.catalog = catalog;
        this.consumerProperties = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG, "hookshard-dlq-replay",
                // Dead letters are written in transactions: an aborted one's copy must not be replayed.
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        this.producer = producer;
        this.topics = List.copyOf(topics);
        this.ackTimeout = ackTimeout;
    }

    private record Filter(String reason, String eventId, Instant from, Instant to, int limit,
                          boolean includeFailedReplays) {
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

    /** What one run did, over all topics. */
    private static final class Tally {
        int scanned;
        int matched;
        int replayedBefore;
        int failedAgain;
    }

    @Override
    public void execute(Map<String, List<String>> parameters, PrintWriter output) throws Exception {
        TaskParameters.only(parameters, "topic", "reason", "event_id", "from", "to", "limit",
                "include_failed_replays", "dry_run");
        String topic = TaskParameters.string(parameters, "topic");
        if (topic != null && !topics.contains(topic)) {
            throw new IllegalArgumentException("topic must be one of " + topics + ", got " + topic);
        }
        Filter filter = new Filter(TaskParameters.string(parameters, "reason"),
                TaskParameters.string(parameters, "event_id"), instant(parameters, "from"), instant(parameters, "to"),
                TaskParameters.integer(parameters, "limit", Integer.MAX_VALUE, 1, Integer.MAX_VALUE),
                TaskParameters.flag(parameters, "include_failed_replays"));
        boolean dryRun = TaskParameters.flag(parameters, "dry_run");
        if (filter.from() != null && filter.to() != null && filter.from().isAfter(filter.to())) {
            throw new IllegalArgumentException("from (" + filter.from() + ") is after to (" + filter.to() + ")");
        }
        if (!running.tryLock()) {
            throw new AlreadyRunning("a dlq-replay is already running on this instance; try again when it ends");
        }
        try {
            catalog.useHandle(handle -> {
                SessionLock lock = SessionLock.tryAcquire(handle, "dlq-replay", REPLAY_LOCK).orElseThrow(() ->
                        new AlreadyRunning("a dlq-replay is already running on another instance; try again when it"
                                + " ends"));
                try {
                    replay(topic, filter, dryRun, output);
                } finally {
                    lock.release();
                }
            });
        } finally {
            running.unlock();
        }
    }

    private void replay(String topic, Filter filter, boolean dryRun, PrintWriter output) throws Exception {
        Tally tally = new Tally();
        for (String source : topic == null ? topics : List.of(topic)) {
            replayTopic(source, filter, dryRun, tally, output);
        }
        output.printf("done: %d of %d dead letter(s) matched, %s; skipped %d replayed before, %d that failed again"
                        + " after a replay%s%n", tally.matched, tally.scanned,
                dryRun ? "dry run: nothing was sent" : tally.matched + " replayed", tally.replayedBefore,
                tally.failedAgain, tally.failedAgain > 0 && !filter.includeFailedReplays()
                        ? " (include them with include_failed_replays=true)" : "");
        output.flush();
    }

    private void replayTopic(String source, Filter filter, boolean dryRun, Tally tally, PrintWriter output)
            throws Exception {
        String dlq = TopicsFactory.deadLetterTopic(source);
        String markerTopic = TopicsFactory.replayedTopic(source);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties)) {
            Set<String> replayed = new HashSet<>();
            boolean markersRead = readToEnd(consumer, markerTopic, record -> {
                if (record.key() == null) {
                    return true;
                }
                String key = new String(record.key(), StandardCharsets.UTF_8);
                if (record.value() == null) {
                    replayed.remove(key);
                } else {
                    replayed.add(key);
                }
                return true;
            });
            if (!markersRead) {
                // Without the markers every dead letter would be sent again: refuse rather than guess.
                throw new IllegalStateException(markerTopic + " does not exist; start the service or run `topics"
                        + " create` to create it");
            }
            output.printf("%s: %d dead letter(s) replayed before, per %s%n", dlq, replayed.size(), markerTopic);
            output.flush();
            readToEnd(consumer, dlq, record -> {
                if (tally.matched >= filter.limit()) {
                    return false;
                }
                tally.scanned++;
                if (!filter.matches(record)) {
                    return true;
                }
                if (replayed.contains(markerKey(record))) {
                    tally.replayedBefore++;
                } else if (!filter.includeFailedReplays()
                        && DeadLetters.header(record.headers(), REPLAYED_FROM) != null) {
                    tally.failedAgain++;
                } else {
                    tally.matched++;
                    replay(record, markerTopic, dryRun, output);
                }
                return true;
            });
            if (!dryRun) {
                prune(consumer, dlq, markerTopic, replayed, output);
            }
        }
    }

    /**
     * Feeds {@code topic}'s records, from the beginning up to its end as of now, to {@code each} until it answers
     * false; returns false when the topic does not exist.
     */
    private static boolean readToEnd(KafkaConsumer<byte[], byte[]> consumer, String topic,
                                     CheckedPredicate<ConsumerRecord<byte[], byte[]>> each) throws Exception {
        List<TopicPartition> partitions = consumer.partitionsFor(topic, METADATA_TIMEOUT).stream()
                .map(info -> new TopicPartition(topic, info.partition())).toList();
        if (partitions.isEmpty()) {
            return false;
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, METADATA_TIMEOUT);
        while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                if (record.offset() < end.get(new TopicPartition(record.topic(), record.partition()))
                        && !each.test(record)) {
                    return true;
                }
            }
        }
        return true;
    }

    /** A predicate that may throw: replaying waits for the broker. */
    @FunctionalInterface
    private interface CheckedPredicate<T> {
        boolean test(T value) throws Exception;
    }

    private void replay(ConsumerRecord<byte[], byte[]> record, String markerTopic, boolean dryRun, PrintWriter output)
            throws Exception {
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
        RecordMetadata sent = send(new ProducerRecord<>(target, null, record.key(), record.value(),
                replayHeaders(record)));
        // Only once the replayed record is acknowledged: a marker before it could lose the dead letter for good.
        send(new ProducerRecord<>(markerTopic, markerKey(record).getBytes(StandardCharsets.UTF_8),
                (sent.topic() + "-" + sent.partition() + "@" + sent.offset() + " " + Instant.now())
                        .getBytes(StandardCharsets.UTF_8)));
    }

    /** The dead letter's own headers, less the hookshard- ones that described this failure, plus where it came from. */
    static RecordHeaders replayHeaders(ConsumerRecord<byte[], byte[]> record) {
        RecordHeaders headers = new RecordHeaders();
        for (Header header : record.headers()) {
            if (!header.key().startsWith(HEADER_PREFIX) || KEPT_HEADERS.contains(header.key())) {
                headers.add(header);
            }
        }
        headers.add(REPLAYED_FROM, (record.topic() + "-" + record.partition() + "@" + record.offset())
                .getBytes(StandardCharsets.UTF_8));
        return headers;
    }

    /**
     * Deletes (tombstones) the markers of dead letters that retention has removed from {@code dlq}, so the marker
     * topic does not outgrow the dead letters it describes.
     */
    private void prune(KafkaConsumer<byte[], byte[]> consumer, String dlq, String markerTopic, Set<String> replayed,
                       PrintWriter output) throws Exception {
        List<TopicPartition> partitions = consumer.partitionsFor(dlq, METADATA_TIMEOUT).stream()
                .map(info -> new TopicPartition(dlq, info.partition())).toList();
        Map<TopicPartition, Long> start = consumer.beginningOffsets(partitions, METADATA_TIMEOUT);
        int pruned = 0;
        for (String key : replayed) {
            int at = key.indexOf('@');
            Long first = start.get(new TopicPartition(dlq, Integer.parseInt(key.substring(0, at))));
            if (first != null && Long.parseLong(key.substring(at + 1)) < first) {
                send(new ProducerRecord<>(markerTopic, key.getBytes(StandardCharsets.UTF_8), null));
                pruned++;
            }
        }
        if (pruned > 0) {
            output.printf("%s: removed %d marker(s) of dead letters past retention%n", markerTopic, pruned);
            output.flush();
        }
    }

    private RecordMetadata send(ProducerRecord<byte[], byte[]> record) throws Exception {
        return producer.send(record).get(ackTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static String markerKey(ConsumerRecord<byte[], byte[]> deadLetter) {
        return deadLetter.partition() + "@" + deadLetter.offset();
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
