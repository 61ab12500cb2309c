package io.hookshard.consume;

import com.codahale.metrics.MetricRegistry;
import io.hookshard.core.Envelope;
import io.hookshard.core.EnvelopeCodec;
import io.hookshard.core.EventType;
import io.hookshard.processing.EventSink;
import io.hookshard.processing.Outcome;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.function.Predicate;

/**
 * A small world for one worker, with Kafka's own MockConsumer and MockProducer and a scripted sink: records whose
 * fate is decided by a {@link Behaviour}, and a ledger of which records are really done (applied in the sink, or
 * committed to the dead-letter or parking topic in a transaction). Every commit, plain or transactional, is checked
 * against that ledger as it happens; the group's offsets are the last committed, as on a broker.
 */
final class WorkerWorld {
    static final String TOPIC = "orders.webhooks";

    enum Behaviour { APPLY, DUPLICATE, TRANSIENT, FROZEN, PERMANENT, NOT_YET, THROWS, UNDECODABLE }

    final EnvelopeCodec codec = new EnvelopeCodec();
    final Map<String, Behaviour> behaviours = new ConcurrentHashMap<>();
    /** How often a TRANSIENT record still fails before it is applied. */
    final Map<String, Integer> failuresLeft = new ConcurrentHashMap<>();
    /** Records whose fate is durable: applied, or acknowledged by the dead-letter or parking topic. */
    final Set<String> done = ConcurrentHashMap.newKeySet();
    final Map<String, String> deadLetterReasons = new ConcurrentHashMap<>();
    /** How often each record was set aside (dead-lettered or parked): more than once is a copy too many. */
    final Map<String, Integer> setAside = new ConcurrentHashMap<>();
    /** Each partition's records in offset order, as the broker holds them. */
    final Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> log = new HashMap<>();
    /** The group's committed offsets, which outlive any one consumer. */
    final Map<TopicPartition, Long> groupCommits = new ConcurrentHashMap<>();
    final List<String> violations = new ArrayList<>();
    final ConsumerControl control = new ConsumerControl();
    final MetricRegistry metrics = new MetricRegistry();
    final List<Error> fatalErrors = new ArrayList<>();
    /**
     * Whether the broker acknowledges the writes of a transaction to a dead-letter or parking topic, asked once per
     * transaction, with its first record: a transaction commits all of its writes or none, so a fault hits them all.
     */
    volatile Predicate<ProducerRecord<byte[], byte[]>> brokerAcks = record -> true;
    volatile boolean sinkThrowsError;
    /** Faults of the next transaction commits, taken one per commit; none left: the commit succeeds. */
    final java.util.Deque<CommitFault> commitFaults = new java.util.concurrent.ConcurrentLinkedDeque<>();
    /** The set-aside records of every committed transaction, in commit order. */
    final List<ProducerRecord<byte[], byte[]>> committedSetAsides = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Every transactional producer a worker built, oldest first. */
    final List<TransactionalProducer> producers = new java.util.concurrent.CopyOnWriteArrayList<>();

    final DeadLetters deadLetters = new DeadLetters();
    final Parking parking = new Parking(deadLetters, Clock.systemUTC());

    enum CommitFault {
        /** commitTransaction fails before the broker commits; the abort works. */
        FAILS,
        /** Another producer with this transactional.id fenced this one: commit and abort fail. */
        FENCED,
        /** The process dies right after the broker committed, before the worker hears of it. */
        CRASH_AFTER_COMMIT
    }

    /** The process dying; nothing of it runs on, no abort, no commit. */
    static final class Crash extends Error {
        Crash() {
            super("simulated crash");
        }
    }

    /** A worker's transactional producer: what it sends counts only once its transaction commits. */
    final class TransactionalProducer extends MockProducer<byte[], byte[]> {
        private final List<ProducerRecord<byte[], byte[]>> pending = new ArrayList<>();
        private final Map<TopicPartition, OffsetAndMetadata> pendingOffsets = new HashMap<>();
        private boolean sendFailed;
        private Boolean acked;
        /** How many transactions were aborted. */
        volatile int aborts;

        TransactionalProducer() {
            super(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        }

        @Override
        public synchronized void beginTransaction() {
            super.beginTransaction();
            pending.clear();
            pendingOffsets.clear();
            sendFailed = false;
            acked = null;
        }

        @Override
        public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
            if (acked == null) {
                acked = brokerAcks.test(record);
            }
            if (!acked) {
                sendFailed = true;
                return CompletableFuture.failedFuture(
                        new org.apache.kafka.common.errors.NotEnoughReplicasException("no ack in this world"));
            }
            Future<RecordMetadata> sent = super.send(record);
            pending.add(record);
            return sent;
        }

        @Override
        public synchronized void sendOffsetsToTransaction(Map<TopicPartition, OffsetAndMetadata> offsets,
                                                          org.apache.kafka.clients.consumer.ConsumerGroupMetadata group) {
            super.sendOffsetsToTransaction(offsets, group);
            pendingOffsets.putAll(offsets);
        }

        @Override
        public synchronized void abortTransaction() {
            super.abortTransaction();
            aborts++;
        }

        @Override
        public synchronized void commitTransaction() {
            if (sendFailed) {
                throw new org.apache.kafka.common.KafkaException("a send of this transaction was not acknowledged");
            }
            CommitFault fault = commitFaults.poll();
            if (fault == CommitFault.FAILS) {
                throw new org.apache.kafka.common.errors.TimeoutException("commit of the transaction timed out");
            }
            if (fault == CommitFault.FENCED) {
                fenceProducer();
            }
            super.commitTransaction();
            for (ProducerRecord<byte[], byte[]> record : pending) {
                String id = new String(record.key(), StandardCharsets.UTF_8);
                done.add(id);
                setAside.merge(id, 1, Integer::sum);
                if (record.topic().endsWith(".dlq")) {
                    deadLetterReasons.put(id, DeadLetters.header(record.headers(), DeadLetters.ERROR_CLASS));
                }
                committedSetAsides.add(record);
            }
            commitOffsets(pendingOffsets);
            pending.clear();
            pendingOffsets.clear();
            if (fault == CommitFault.CRASH_AFTER_COMMIT) {
                throw new Crash();
            }
        }
    }

    TransactionalProducer newProducer() {
        TransactionalProducer producer = new TransactionalProducer();
        producers.add(producer);
        return producer;
    }

    /** Checks a commit against the ledger: no committed offset may pass a record that is not done. */
    void commitOffsets(Map<TopicPartition, OffsetAndMetadata> offsets) {
        offsets.forEach((partition, offset) -> {
            for (ConsumerRecord<byte[], byte[]> record : log.getOrDefault(partition, List.of())) {
                if (record.offset() < offset.offset() && !done.contains(id(record))) {
                    violations.add("committed " + partition + "@" + offset.offset() + " past " + id(record)
                            + " (" + behaviours.get(id(record)) + "), which is not done");
                }
            }
            groupCommits.put(partition, offset.offset());
        });
    }

    /** A consumer that checks every commit: no committed offset may pass a record that is not done. */
    final class CheckedConsumer extends MockConsumer<byte[], byte[]> {
        CheckedConsumer() {
            super("earliest");
        }

        @Override
        public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
            commitOffsets(offsets);
            super.commitSync(offsets);
        }
    }

    final EventSink sink = new EventSink() {
        @Override
        public EventType type() {
            return EventType.ORDER_PAYMENT;
        }

        @Override
        public List<Outcome> apply(List<Envelope> envelopes) {
            if (sinkThrowsError) {
                throw new OutOfMemoryError("simulated");
            }
            for (Envelope envelope : envelopes) {
                if (behaviours.get(envelope.key()) == Behaviour.THROWS) {
                    throw new IllegalStateException("a bug that " + envelope.key() + " triggers");
                }
            }
            List<Outcome> outcomes = new ArrayList<>();
            for (Envelope envelope : envelopes) {
                String id = envelope.key();
                outcomes.add(switch (behaviours.get(id)) {
                    case APPLY -> applied(id);
                    case DUPLICATE -> {
                        done.add(id);
                        yield Outcome.duplicate();
                    }
                    case TRANSIENT -> failuresLeft.merge(id, -1, Integer::sum) >= 0
                            ? Outcome.transientFailure("shard-a", new RuntimeException("shard-a is down"))
                            : applied(id);
                    case FROZEN -> failuresLeft.merge(id, -1, Integer::sum) >= 0
                            ? Outcome.notOwned("shard-a")
                            : applied(id);
                    case PERMANENT -> Outcome.permanent("constraint_violation", "refused");
                    case NOT_YET -> Outcome.notYet("order_not_found", "no order yet");
                    default -> throw new AssertionError(id);
                });
            }
            return outcomes;
        }

        private Outcome applied(String id) {
            done.add(id);
            return Outcome.applied();
        }
    };

    RecordHandler handler(Duration dedupWindow) {
        return new RecordHandler(codec, sink, deadLetters, parking, setAsides(new CheckedConsumer(), offsets -> {
        }), metrics, TOPIC, true, dedupWindow);
    }

    SetAsides setAsides(MockConsumer<byte[], byte[]> consumer,
                        java.util.function.Consumer<Map<TopicPartition, OffsetAndMetadata>> committed) {
        return new SetAsides(this::newProducer, consumer, committed);
    }

    ConsumerWorker worker(CheckedConsumer consumer, int maxWaiting) {
        String name = "kafka-" + TOPIC + "-0";
        WorkerSettings settings = new WorkerSettings(name, TOPIC, Duration.ofMillis(1), maxWaiting,
                Duration.ofHours(1));
        Progress progress = new Progress();
        SetAsides setAsides = setAsides(consumer, progress::committed);
        RecordHandler handler = new RecordHandler(codec, sink, deadLetters, parking, setAsides, metrics, TOPIC, true,
                Duration.ZERO);
        RecordFlow flow = new RetryingFlow(name, progress, handler,
                new Backoff(Duration.ofMillis(1), Duration.ofMillis(4)), 100, System::nanoTime);
        return new ConsumerWorker(settings, consumer, flow, setAsides, control,
                new ConsumerWorker.Observers(new LagTracker(metrics), metrics.counter("deleted-unapplied")),
                fatalErrors::add);
    }

    /** A consumer of the group: its partitions start at the group's committed offsets, or at the log start. */
    CheckedConsumer consumer(int partitions) {
        CheckedConsumer consumer = new CheckedConsumer();
        Map<TopicPartition, Long> starts = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            starts.put(new TopicPartition(TOPIC, p), 0L);
        }
        consumer.updateBeginningOffsets(starts);
        consumer.updateEndOffsets(starts);
        return consumer;
    }

    /** Appends a record with the given fate to a partition's log and returns it. */
    ConsumerRecord<byte[], byte[]> append(int partition, Behaviour behaviour, int transientFailures) {
        TopicPartition tp = new TopicPartition(TOPIC, partition);
        List<ConsumerRecord<byte[], byte[]>> records = log.computeIfAbsent(tp, ignored -> new ArrayList<>());
        long offset = records.size();
        String id = partition + ":" + offset;
        behaviours.put(id, behaviour);
        if (behaviour == Behaviour.TRANSIENT || behaviour == Behaviour.FROZEN) {
            failuresLeft.put(id, transientFailures);
        }
        byte[] value = behaviour == Behaviour.UNDECODABLE
                ? new byte[]{(byte) 0xfe, (byte) 0xff, 0, '{'}
                : codec.encode(new Envelope(UUID.randomUUID(), id, EventType.ORDER_PAYMENT, null, Instant.now(), null,
                "{\"id\":\"" + id + "\"}"));
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>(TOPIC, partition, offset,
                id.getBytes(StandardCharsets.UTF_8), value);
        records.add(record);
        return record;
    }

    static String id(ConsumerRecord<byte[], byte[]> record) {
        return new String(record.key(), StandardCharsets.UTF_8);
    }

    /** Whether every record in the log is done and committed. */
    boolean allDoneAndCommitted() {
        for (Map.Entry<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> entry : log.entrySet()) {
            if (groupCommits.getOrDefault(entry.getKey(), 0L) < entry.getValue().size()) {
                return false;
            }
        }
        return log.values().stream().flatMap(List::stream).allMatch(record -> done.contains(id(record)));
    }
}
