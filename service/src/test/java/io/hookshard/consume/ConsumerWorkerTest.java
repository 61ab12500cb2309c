package io.hookshard.consume;

import io.hookshard.consume.WorkerWorld.Behaviour;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** The worker's guarantees on Kafka's MockConsumer: nothing committed before it is done, whatever happens. */
class ConsumerWorkerTest {
    private static final Behaviour[] FATES = Behaviour.values();

    @Test
    void committedOffsetNeverPassesARecordThatIsNotDone() throws Exception {
        for (long seed = 1; seed <= 30; seed++) {
            Random random = new Random(seed);
            WorkerWorld world = new WorkerWorld();
            int partitions = 1 + random.nextInt(3);
            for (int i = 0; i < 300; i++) {
                world.append(random.nextInt(partitions), FATES[random.nextInt(FATES.length)], 1 + random.nextInt(3));
            }
            world.brokerAcks = record -> random.nextInt(10) < 7;
            int lives = 0;
            while (!world.allDoneAndCommitted()) {
                assertThat(++lives).as("seed %d: lives", seed).isLessThan(200);
                runLife(world, partitions, random, 4_000);
                assertThat(world.violations).as("seed %d", seed).isEmpty();
            }
            assertThat(world.violations).as("seed %d", seed).isEmpty();
            assertThat(world.fatalErrors).isEmpty();
            // Set aside once: a record behind one that waits is not dead-lettered or parked before it can be
            // committed, or a rebalance would read it, and set it aside, again.
            assertThat(world.setAside).as("seed %d: records set aside more than once", seed)
                    .allSatisfy((id, times) -> assertThat(times).as(id).isEqualTo(1));
            world.behaviours.forEach((id, fate) -> {
                String reason = world.deadLetterReasons.get(id);
                switch (fate) {
                    case THROWS -> assertThat(reason).as(id).isEqualTo("unexpected_error");
                    case UNDECODABLE -> assertThat(reason).as(id).isEqualTo("undecodable_envelope");
                    case PERMANENT -> assertThat(reason).as(id).isEqualTo("constraint_violation");
                    default -> assertThat(reason).as(id).isNull();
                }
            });
        }
    }

    @Test
    void aRecordThatThrowsIsDeadLetteredAsUnexpectedErrorAndTheRestOfItsBatchIsApplied() throws Exception {
        WorkerWorld world = new WorkerWorld();
        List.of(Behaviour.APPLY, Behaviour.THROWS, Behaviour.APPLY, Behaviour.UNDECODABLE, Behaviour.APPLY)
                .forEach(fate -> world.append(0, fate, 0));

        runUntil(world, 1, world::allDoneAndCommitted, 1000);

        assertThat(world.violations).isEmpty();
        assertThat(world.deadLetterReasons).containsOnly(Map.entry("0:1", "unexpected_error"),
                Map.entry("0:3", "undecodable_envelope"));
        assertThat(world.done).contains("0:0", "0:2", "0:4");
        assertThat(world.groupCommits).containsEntry(new TopicPartition(WorkerWorld.TOPIC, 0), 5L);
    }

    @Test
    void aDeadLetterOrParkedRecordCountsOnlyOnceTheBrokerAcknowledgedIt() throws Exception {
        WorkerWorld world = new WorkerWorld();
        List.of(Behaviour.APPLY, Behaviour.NOT_YET, Behaviour.PERMANENT, Behaviour.APPLY)
                .forEach(fate -> world.append(0, fate, 0));
        AtomicBoolean acks = new AtomicBoolean(false);
        world.brokerAcks = record -> acks.get();
        TopicPartition partition = new TopicPartition(WorkerWorld.TOPIC, 0);

        runUntil(world, 1, () -> world.done.contains("0:3"), 1000);
        assertThat(world.groupCommits).containsEntry(partition, 1L);
        assertThat(world.done).doesNotContain("0:1", "0:2");

        acks.set(true);
        runUntil(world, 1, world::allDoneAndCommitted, 1000);
        assertThat(world.violations).isEmpty();
        assertThat(world.deadLetterReasons).containsOnly(Map.entry("0:2", "constraint_violation"));
        assertThat(world.committedSetAsides).anyMatch(record -> record.topic().equals(WorkerWorld.TOPIC + ".retry"));
    }

    @Test
    void aSetAsideWhoseTransactionFailsToCommitIsNotDoneAndIsSetAsideOnceOnItsRetry() throws Exception {
        WorkerWorld world = new WorkerWorld();
        List.of(Behaviour.APPLY, Behaviour.PERMANENT, Behaviour.NOT_YET, Behaviour.APPLY)
                .forEach(fate -> world.append(0, fate, 0));
        world.commitFaults.add(WorkerWorld.CommitFault.FAILS);

        runUntil(world, 1, world::allDoneAndCommitted, 1000);

        assertThat(world.violations).isEmpty();
        assertThat(world.producers).singleElement().satisfies(producer -> {
            assertThat(producer.aborts).as("the failed commit was aborted").isEqualTo(1);
            assertThat(producer.transactionCommitted()).isTrue();
        });
        assertThat(world.setAside).containsOnly(Map.entry("0:1", 1), Map.entry("0:2", 1));
        assertThat(world.committedSetAsides).hasSize(2);
    }

    @Test
    void aFencedSetAsideProducerStopsTheWorkerWithoutCommittingAndTheRecordIsSetAsideOnceByTheNext() throws Exception {
        WorkerWorld world = new WorkerWorld();
        List.of(Behaviour.APPLY, Behaviour.APPLY, Behaviour.APPLY, Behaviour.APPLY, Behaviour.PERMANENT,
                Behaviour.APPLY).forEach(fate -> world.append(0, fate, 0));
        world.commitFaults.add(WorkerWorld.CommitFault.FENCED);
        TopicPartition partition = new TopicPartition(WorkerWorld.TOPIC, 0);

        ConsumerWorker fenced = runUntilStopped(world, 1, 2);
        assertThat(fenced.state()).isEqualTo(ConsumerWorker.State.FAILED);
        assertThat(fenced.failure()).isInstanceOf(SetAsides.InDoubtException.class);
        assertThat(world.done).doesNotContain("0:4");
        assertThat(world.groupCommits.getOrDefault(partition, 0L)).isLessThanOrEqualTo(4L);

        runUntil(world, 1, world::allDoneAndCommitted, 1000);
        assertThat(world.violations).isEmpty();
        assertThat(world.setAside).containsOnly(Map.entry("0:4", 1));
    }

    @Test
    void aCrashRightAfterTheSetAsideTransactionCommittedDoesNotSetTheRecordAsideAgain() throws Exception {
        WorkerWorld world = new WorkerWorld();
        List.of(Behaviour.APPLY, Behaviour.APPLY, Behaviour.APPLY, Behaviour.APPLY, Behaviour.PERMANENT,
                Behaviour.APPLY, Behaviour.NOT_YET, Behaviour.APPLY).forEach(fate -> world.append(0, fate, 0));
        world.commitFaults.add(WorkerWorld.CommitFault.CRASH_AFTER_COMMIT);
        TopicPartition partition = new TopicPartition(WorkerWorld.TOPIC, 0);

        // The worker dies between the broker's commit of the dead letter and anything else it would do.
        ConsumerWorker crashed = runUntilStopped(world, 1, 2);
        assertThat(world.fatalErrors).singleElement().isInstanceOf(WorkerWorld.Crash.class);
        assertThat(crashed.state()).isEqualTo(ConsumerWorker.State.FAILED);
        assertThat(world.setAside).containsOnly(Map.entry("0:4", 1));
        assertThat(world.groupCommits).as("the dead letter's offset went with it").containsEntry(partition, 5L);

        runUntil(world, 1, world::allDoneAndCommitted, 1000);
        assertThat(world.violations).isEmpty();
        assertThat(world.setAside).containsOnly(Map.entry("0:4", 1), Map.entry("0:6", 1));
    }

    @Test
    void partitionsPausedByTheBacklogResumeOnceItDrains() throws Exception {
        WorkerWorld world = new WorkerWorld();
        for (int i = 0; i < 4; i++) {
            world.append(0, Behaviour.TRANSIENT, 30);
        }
        for (int i = 0; i < 20; i++) {
            world.append(0, Behaviour.APPLY, 0);
        }
        AtomicBoolean sawPaused = new AtomicBoolean();
        WorkerWorld.CheckedConsumer consumer = world.consumer(1);
        ConsumerWorker worker = world.worker(consumer, 3);
        Thread thread = start(worker);
        Map<TopicPartition, Long> fetched = new HashMap<>();
        consumer.schedulePollTask(() -> assign(world, consumer, Set.of(new TopicPartition(WorkerWorld.TOPIC, 0)),
                fetched));
        tickUntil(consumer, worker, () -> {
            sawPaused.compareAndSet(false, !consumer.paused().isEmpty());
            deliver(world, consumer, fetched, 5);
        }, world::allDoneAndCommitted, 20_000);
        thread.join(10_000);

        assertThat(sawPaused).isTrue();
        assertThat(world.allDoneAndCommitted()).isTrue();
        assertThat(consumer.closed()).isTrue();
        assertThat(world.violations).isEmpty();
    }

    @Test
    void recordsPolledAfterAnOperatorPausedAreNotAppliedUntilResumed() throws Exception {
        WorkerWorld world = new WorkerWorld();
        for (int i = 0; i < 10; i++) {
            world.append(0, Behaviour.APPLY, 0);
        }
        TopicPartition partition = new TopicPartition(WorkerWorld.TOPIC, 0);
        WorkerWorld.CheckedConsumer consumer = world.consumer(1);
        ConsumerWorker worker = world.worker(consumer, 100);
        Thread thread = start(worker);
        Map<TopicPartition, Long> fetched = new HashMap<>();
        consumer.schedulePollTask(() -> assign(world, consumer, Set.of(partition), fetched));
        AtomicInteger step = new AtomicInteger();
        AtomicBoolean appliedWhilePaused = new AtomicBoolean();
        AtomicBoolean pausedAtBroker = new AtomicBoolean();
        tickUntil(consumer, worker, () -> {
            int now = step.incrementAndGet();
            if (now == 1) {
                // The pause lands while this poll is under way and returns records: the worker must put them back.
                world.control.pause(WorkerWorld.TOPIC);
                deliver(world, consumer, fetched, 5);
            } else if (now < 20) {
                appliedWhilePaused.compareAndSet(false, !world.done.isEmpty());
                pausedAtBroker.compareAndSet(false, consumer.paused().contains(partition));
            } else if (now == 20) {
                world.control.resume(WorkerWorld.TOPIC);
            } else if (!consumer.paused().contains(partition)) {
                // Fetch on from where the consumer stands, as a broker would after a seek.
                if (fetched.get(partition) > consumer.position(partition)) {
                    fetched.put(partition, consumer.position(partition));
                }
                deliver(world, consumer, fetched, 5);
            }
        }, world::allDoneAndCommitted, 20_000);
        thread.join(10_000);

        assertThat(appliedWhilePaused).as("applied after the pause").isFalse();
        assertThat(pausedAtBroker).isTrue();
        assertThat(world.allDoneAndCommitted()).isTrue();
        assertThat(world.violations).isEmpty();
    }

    @Test
    void anErrorStopsTheWorkerThroughTheFatalHandlerWithOnlyWhatWasDoneCommitted() throws Exception {
        WorkerWorld world = new WorkerWorld();
        for (int i = 0; i < 5; i++) {
            world.append(0, Behaviour.APPLY, 0);
        }
        runUntil(world, 1, world::allDoneAndCommitted, 1000);
        for (int i = 0; i < 5; i++) {
            world.append(0, Behaviour.APPLY, 0);
        }
        world.sinkThrowsError = true;
        WorkerWorld.CheckedConsumer consumer = world.consumer(1);
        ConsumerWorker worker = world.worker(consumer, 100);
        Thread thread = start(worker);
        Map<TopicPartition, Long> fetched = new HashMap<>();
        consumer.schedulePollTask(() -> {
            assign(world, consumer, Set.of(new TopicPartition(WorkerWorld.TOPIC, 0)), fetched);
            consumer.schedulePollTask(() -> deliver(world, consumer, fetched, 10));
        });
        thread.join(10_000);

        assertThat(thread.isAlive()).isFalse();
        assertThat(worker.state()).isEqualTo(ConsumerWorker.State.FAILED);
        assertThat(world.fatalErrors).singleElement().isInstanceOf(OutOfMemoryError.class);
        assertThat(world.groupCommits).containsEntry(new TopicPartition(WorkerWorld.TOPIC, 0), 5L);
        assertThat(world.violations).isEmpty();
    }

    @Test
    void aCommittedOffsetBelowTheLogStartIsCountedAsDeletedBeforeItWasApplied() throws Exception {
        WorkerWorld world = new WorkerWorld();
        TopicPartition partition = new TopicPartition(WorkerWorld.TOPIC, 0);
        WorkerWorld.CheckedConsumer consumer = world.consumer(1);
        ConsumerWorker worker = world.worker(consumer, 100);
        Thread thread = start(worker);
        consumer.schedulePollTask(() -> {
            // Records 3..9 were deleted by retention while the group's commit still stood at 3.
            consumer.commitSync(Map.of(partition, new org.apache.kafka.clients.consumer.OffsetAndMetadata(3)));
            consumer.updateBeginningOffsets(Map.of(partition, 10L));
            consumer.rebalance(Set.of(partition));
            worker.shutdown();
        });
        thread.join(10_000);

        assertThat(world.metrics.counter("deleted-unapplied").getCount()).isEqualTo(7);
    }

    @Test
    void anEnvelopeReceivedLongerAgoThanTheInboxRemembersIsDeadLetteredNotApplied() throws Exception {
        WorkerWorld world = new WorkerWorld();
        world.behaviours.put("old", Behaviour.APPLY);
        world.behaviours.put("new", Behaviour.APPLY);
        RecordHandler handler = world.handler(java.time.Duration.ofDays(35));
        ConsumerRecord<byte[], byte[]> old = record(world, "old", java.time.Instant.now().minus(
                java.time.Duration.ofDays(36)), 0);
        ConsumerRecord<byte[], byte[]> recent = record(world, "new", java.time.Instant.now().minus(
                java.time.Duration.ofDays(34)), 1);

        assertThat(handler.handle(List.of(old, recent))).isEmpty();

        assertThat(world.deadLetterReasons).containsOnly(Map.entry("old", "beyond_dedup_window"));
        assertThat(world.done).contains("new");
    }

    private static ConsumerRecord<byte[], byte[]> record(WorkerWorld world, String id, java.time.Instant receivedAt,
                                                         long offset) {
        return new ConsumerRecord<>(WorkerWorld.TOPIC, 0, offset, id.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                world.codec.encode(new io.hookshard.core.Envelope(java.util.UUID.randomUUID(), id,
                        io.hookshard.core.EventType.ORDER_PAYMENT, null, receivedAt, null, "{\"id\":\"" + id
                        + "\"}")));
    }

    /** One worker's life: assignments, deliveries, rebalances, operator pauses and a stop, chosen at random. */
    private static void runLife(WorkerWorld world, int partitions, Random random, int maxTicks) throws Exception {
        WorkerWorld.CheckedConsumer consumer = world.consumer(partitions);
        ConsumerWorker worker = world.worker(consumer, 2 + random.nextInt(20));
        Thread thread = start(worker);
        Set<TopicPartition> all = new HashSet<>();
        for (int p = 0; p < partitions; p++) {
            all.add(new TopicPartition(WorkerWorld.TOPIC, p));
        }
        Map<TopicPartition, Long> fetched = new HashMap<>();
        AtomicInteger ticks = new AtomicInteger();
        consumer.schedulePollTask(() -> assign(world, consumer, all, fetched));
        tickUntil(consumer, worker, () -> {
            int tick = ticks.incrementAndGet();
            if (tick > maxTicks / 2) {
                // Calm weather at the end of a long life, so that every life can finish its work.
                world.brokerAcks = record -> true;
                world.control.resume(WorkerWorld.TOPIC);
            }
            int dice = random.nextInt(1000);
            if (dice < 20) {
                Set<TopicPartition> next = new HashSet<>();
                all.stream().filter(partition -> random.nextBoolean()).forEach(next::add);
                assign(world, consumer, next, fetched);
            } else if (dice < 25 && tick < maxTicks / 2) {
                world.control.pause(WorkerWorld.TOPIC);
            } else if (dice < 60) {
                world.control.resume(WorkerWorld.TOPIC);
            } else if (dice < 64) {
                worker.shutdown();
            } else {
                if (consumer.assignment().isEmpty()) {
                    assign(world, consumer, all, fetched);
                }
                deliver(world, consumer, fetched, random.nextInt(25));
            }
        }, () -> world.allDoneAndCommitted() || ticks.get() >= maxTicks, 60_000);
        thread.join(10_000);
        assertThat(thread.isAlive()).as("worker thread stopped").isFalse();
        assertThat(worker.state()).isEqualTo(ConsumerWorker.State.STOPPED);
    }

    private static void runUntil(WorkerWorld world, int partitions, BooleanSupplier condition, int maxTicks)
            throws Exception {
        WorkerWorld.CheckedConsumer consumer = world.consumer(partitions);
        ConsumerWorker worker = world.worker(consumer, 100);
        Thread thread = start(worker);
        Set<TopicPartition> all = new HashSet<>();
        for (int p = 0; p < partitions; p++) {
            all.add(new TopicPartition(WorkerWorld.TOPIC, p));
        }
        Map<TopicPartition, Long> fetched = new HashMap<>();
        consumer.schedulePollTask(() -> assign(world, consumer, all, fetched));
        AtomicInteger ticks = new AtomicInteger();
        tickUntil(consumer, worker, () -> {
            ticks.incrementAndGet();
            deliver(world, consumer, fetched, 3);
        }, () -> condition.getAsBoolean() || ticks.get() >= maxTicks, 20_000);
        thread.join(10_000);
        assertThat(condition.getAsBoolean()).as("reached within %d polls", maxTicks).isTrue();
    }

    /** One worker's life, fed {@code perPoll} records of every partition per poll, until it stops by itself. */
    private static ConsumerWorker runUntilStopped(WorkerWorld world, int partitions, int perPoll) throws Exception {
        WorkerWorld.CheckedConsumer consumer = world.consumer(partitions);
        ConsumerWorker worker = world.worker(consumer, 100);
        Thread thread = start(worker);
        Set<TopicPartition> all = new HashSet<>();
        for (int p = 0; p < partitions; p++) {
            all.add(new TopicPartition(WorkerWorld.TOPIC, p));
        }
        Map<TopicPartition, Long> fetched = new HashMap<>();
        consumer.schedulePollTask(() -> assign(world, consumer, all, fetched));
        tickUntil(consumer, worker, () -> deliver(world, consumer, fetched, perPoll), world::allDoneAndCommitted,
                20_000);
        thread.join(10_000);
        assertThat(thread.isAlive()).isFalse();
        return worker;
    }

    /** Runs {@code tick} at the start of every poll until {@code until} holds, then stops the worker. */
    private static void tickUntil(WorkerWorld.CheckedConsumer consumer, ConsumerWorker worker, Runnable tick,
                                  BooleanSupplier until, long timeoutMillis) {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        Runnable[] next = new Runnable[1];
        next[0] = () -> {
            if (until.getAsBoolean() || System.currentTimeMillis() > deadline) {
                worker.shutdown();
                return;
            }
            tick.run();
            consumer.schedulePollTask(next[0]);
        };
        consumer.schedulePollTask(next[0]);
    }

    /** Hands the consumer a new assignment; each partition it gains is read again from the group's commit. */
    private static void assign(WorkerWorld world, WorkerWorld.CheckedConsumer consumer, Set<TopicPartition> next,
                               Map<TopicPartition, Long> fetched) {
        Set<TopicPartition> before = new HashSet<>(consumer.assignment());
        consumer.rebalance(next);
        for (TopicPartition partition : next) {
            if (!before.contains(partition)) {
                fetched.put(partition, world.groupCommits.getOrDefault(partition, 0L));
            }
        }
        fetched.keySet().retainAll(next);
    }

    /** Like a fetch: up to {@code count} records of each assigned, unpaused partition, from where it stands. */
    private static void deliver(WorkerWorld world, WorkerWorld.CheckedConsumer consumer,
                                Map<TopicPartition, Long> fetched, int count) {
        for (TopicPartition partition : new ArrayList<>(consumer.assignment())) {
            if (consumer.paused().contains(partition)) {
                continue;
            }
            List<ConsumerRecord<byte[], byte[]>> log = world.log.getOrDefault(partition, List.of());
            long from = fetched.getOrDefault(partition, 0L);
            long to = Math.min(log.size(), from + count);
            for (long offset = from; offset < to; offset++) {
                consumer.addRecord(log.get((int) offset));
            }
            fetched.put(partition, to);
        }
    }

    private static Thread start(ConsumerWorker worker) {
        Thread thread = new Thread(worker, worker.name());
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
