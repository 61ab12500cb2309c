package io.hookshard.consume;

import io.hookshard.consume.WorkerWorld.Behaviour;
import io.hookshard.core.Envelope;
import io.hookshard.core.EventType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/** Parked records: applied at the first check after they can be, re-parked when held long, expired only fairly. */
class ParkedFlowTest {
    private static final String PARKED_TOPIC = WorkerWorld.TOPIC + ".retry";
    private static final String AWAITED = "orders.webhooks";
    private static final TopicPartition PARKED_PARTITION = new TopicPartition(PARKED_TOPIC, 0);
    private static final TopicPartition AWAITED_PARTITION = new TopicPartition(AWAITED, 0);

    private final WorkerWorld world = new WorkerWorld();
    private final Set<String> readyKeys = ConcurrentHashMap.newKeySet();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
    /** The group's commits on the awaited topic, as the broker would answer them. */
    private final Map<TopicPartition, Long> awaitedCommits = new ConcurrentHashMap<>();
    private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest") {
        @Override
        public synchronized Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions,
                                                                          Duration timeout) {
            Map<TopicPartition, OffsetAndMetadata> committed = new java.util.HashMap<>();
            partitions.forEach(partition -> committed.put(partition, awaitedCommits.containsKey(partition)
                    ? new OffsetAndMetadata(awaitedCommits.get(partition)) : null));
            return committed;
        }
    };

    @Test
    void aParkedRecordIsAppliedAtTheFirstCheckAfterItsOrderArrives() throws Exception {
        ParkedFlow flow = flow(Duration.ofHours(24), Duration.ofMinutes(30));
        flow.accept(records(parked("order-1", 0, Behaviour.NOT_YET, clock.instant())));
        flow.tick();
        assertThat(flow.waiting()).isEqualTo(1);
        assertThat(flow.commitCandidates(Set.of(PARKED_PARTITION))).containsEntry(PARKED_PARTITION,
                new OffsetAndMetadata(0));

        world.behaviours.put("order-1", Behaviour.APPLY);
        readyKeys.add("order-1");
        clock.advance(Duration.ofMillis(999));
        flow.tick();
        assertThat(world.done).doesNotContain("order-1");
        clock.advance(Duration.ofMillis(1));
        flow.tick();

        assertThat(world.done).contains("order-1");
        assertThat(flow.waiting()).isZero();
        assertThat(flow.commitCandidates(Set.of(PARKED_PARTITION))).containsEntry(PARKED_PARTITION,
                new OffsetAndMetadata(1));
    }

    @Test
    void aRecordHeldTooLongIsReparkedOneAttemptFurtherAndNoLongerHoldsTheCommitBack() throws Exception {
        ParkedFlow flow = flow(Duration.ofHours(24), Duration.ofSeconds(10));
        flow.accept(records(parked("order-2", 0, Behaviour.NOT_YET, clock.instant())));
        // Held for 5 to 10 s (the jitter of the backoff).
        clock.advance(Duration.ofSeconds(4));
        flow.tick();
        assertThat(world.committedSetAsides).isEmpty();

        clock.advance(Duration.ofSeconds(7));
        flow.tick();

        ProducerRecord<byte[], byte[]> reparked = world.committedSetAsides.get(0);
        assertThat(reparked.topic()).isEqualTo(PARKED_TOPIC);
        assertThat(DeadLetters.header(reparked.headers(), DeadLetters.ATTEMPTS)).isEqualTo("2");
        assertThat(DeadLetters.header(reparked.headers(), Parking.PARKED_AT)).isEqualTo("2026-11-23T10:00:00Z");
        assertThat(flow.waiting()).isZero();
        // The re-park's transaction committed the offset that passes the record, and the flow knows it.
        assertThat(world.groupCommits).containsEntry(PARKED_PARTITION, 1L);
        assertThat(flow.commitCandidates(Set.of(PARKED_PARTITION))).isEmpty();
    }

    @Test
    void theParkWindowRunsOutOnlyOnceTheAwaitedTopicWasConsumedPastWhereItEnded() throws Exception {
        consumer.updatePartitions(AWAITED, List.of(new PartitionInfo(AWAITED, 0, Node.noNode(), null, null)));
        consumer.updateEndOffsets(Map.of(AWAITED_PARTITION, 100L));
        awaitedCommits.put(AWAITED_PARTITION, 40L);
        ParkedFlow flow = flow(Duration.ofHours(1), Duration.ofHours(10));
        flow.accept(records(parked("order-3", 0, Behaviour.NOT_YET, clock.instant())));

        clock.advance(Duration.ofHours(2));
        flow.tick();
        consumer.updateEndOffsets(Map.of(AWAITED_PARTITION, 150L));
        awaitedCommits.put(AWAITED_PARTITION, 99L);
        clock.advance(Duration.ofSeconds(1));
        flow.tick();
        assertThat(world.deadLetterReasons).isEmpty();
        assertThat(flow.waiting()).isEqualTo(1);

        awaitedCommits.put(AWAITED_PARTITION, 100L);
        clock.advance(Duration.ofSeconds(1));
        flow.tick();

        assertThat(world.deadLetterReasons).containsEntry("order-3", "order_not_found");
        assertThat(flow.waiting()).isZero();
    }

    @Test
    void aRecordPastItsWindowWhoseOrderCameMeanwhileIsAppliedNotDeadLettered() throws Exception {
        consumer.updatePartitions(AWAITED, List.of(new PartitionInfo(AWAITED, 0, Node.noNode(), null, null)));
        consumer.updateEndOffsets(Map.of(AWAITED_PARTITION, 10L));
        awaitedCommits.put(AWAITED_PARTITION, 10L);
        ParkedFlow flow = flow(Duration.ofHours(1), Duration.ofHours(3));
        flow.accept(records(parked("order-4", 0, Behaviour.APPLY, clock.instant().minus(Duration.ofHours(2)))));

        flow.tick();

        assertThat(world.done).contains("order-4");
        assertThat(world.deadLetterReasons).isEmpty();
    }

    @Test
    void aPartitionItLosesTakesItsHeldRecordsWithIt() throws Exception {
        ParkedFlow flow = flow(Duration.ofHours(24), Duration.ofMinutes(30));
        flow.accept(records(parked("order-5", 0, Behaviour.NOT_YET, clock.instant())));
        assertThat(flow.waiting()).isEqualTo(1);

        flow.forget(Set.of(PARKED_PARTITION));
        world.behaviours.put("order-5", Behaviour.APPLY);
        readyKeys.add("order-5");
        clock.advance(Duration.ofSeconds(1));
        flow.tick();

        assertThat(flow.waiting()).isZero();
        assertThat(world.done).doesNotContain("order-5");
    }

    private ParkedFlow flow(Duration window, Duration hold) {
        Progress progress = new Progress();
        SetAsides setAsides = world.setAsides(consumer, progress::committed);
        Parking parking = new Parking(world.deadLetters, clock);
        RecordHandler handler = new RecordHandler(world.codec, world.sink, world.deadLetters, parking, setAsides,
                world.metrics, PARKED_TOPIC, false, Duration.ZERO);
        ParkTiming timing = new ParkTiming(window, Duration.ofSeconds(1),
                new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1)), new Backoff(hold, hold), 100);
        return new ParkedFlow("kafka-" + PARKED_TOPIC + "-0", progress, handler, parking, setAsides,
                keys -> keys.stream().filter(readyKeys::contains).collect(java.util.stream.Collectors.toSet()),
                new AwaitedTopic(consumer, AWAITED), timing, clock);
    }

    private ConsumerRecord<byte[], byte[]> parked(String key, long offset, Behaviour behaviour, Instant parkedAt) {
        world.behaviours.put(key, behaviour);
        byte[] value = world.codec.encode(new Envelope(UUID.randomUUID(), key, EventType.ORDER_PAYMENT, null,
                Instant.now(), null, "{\"id\":\"" + key + "\"}"));
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>(PARKED_TOPIC, 0, offset,
                key.getBytes(StandardCharsets.UTF_8), value);
        record.headers().add(DeadLetters.ATTEMPTS, "1".getBytes(StandardCharsets.UTF_8));
        record.headers().add(DeadLetters.ERROR_CLASS, "order_not_found".getBytes(StandardCharsets.UTF_8));
        record.headers().add(Parking.PARKED_AT, parkedAt.toString().getBytes(StandardCharsets.UTF_8));
        return record;
    }

    private static ConsumerRecords<byte[], byte[]> records(ConsumerRecord<byte[], byte[]> record) {
        return new ConsumerRecords<>(Map.of(PARKED_PARTITION, List.of(record)), Map.of());
    }

    private static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
