package io.hookshard.consume;

import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;


/**
 * One thread, one KafkaConsumer. Polls, hands each batch to the {@link RecordHandler}, which gives every record a
 * fate, and commits synchronously, per partition, up to the lowest record that has none yet or waits for a retry.
 * Records that failed transiently wait in the {@link RetryBuffer} and are retried with backoff while the loop keeps
 * polling, so the rest of every partition keeps flowing and the consumer stays in its group; {@link Pauses} holds the
 * partitions back while an operator, the backlog or a parked record says so. Whatever ends the loop, the last commit
 * is that same watermark, so a crash or a bug loses nothing: what was not done is read again, and the writes are
 * idempotent. What is dead-lettered or parked is committed with its offset in one transaction ({@link SetAsides}),
 * so it is never set aside twice. An {@link Error} other than a stack overflow goes to the fatal handler, which stops
 * the process.
 */
public final class ConsumerWorker implements Runnable {
    public enum State { CREATED, RUNNING, STOPPED, FAILED }

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerWorker.class);

    private final WorkerSettings settings;
    private final org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer;
    private final RecordFlow flow;
    private final SetAsides setAsides;
    private final ConsumerControl control;
    private final java.util.function.Consumer<Error> fatal;
    private final Pauses pauses;
    private final LagProbe lag;
    private final OffsetGapCheck gapCheck;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private volatile int waiting;
    private volatile State state = State.CREATED;
    private volatile Throwable failure;

    /**
     * @param setAsides the transactional producer of {@code flow}'s dead letters and parked records; closed with the
     *                  consumer
     * @param fatal     called with an {@link Error} that must not leave the process limping (in production: log and
     *                  halt)
     */
    ConsumerWorker(WorkerSettings settings, org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer,
                   RecordFlow flow, SetAsides setAsides, ConsumerControl control, Observers observers,
                   java.util.function.Consumer<Error> fatal) {
        this.settings = settings;
        this.consumer = consumer;
        this.flow = flow;
        this.setAsides = setAsides;
        this.control = control;
        this.fatal = fatal;
        this.pauses = new Pauses(consumer);
        this.lag = new LagProbe(observers.lag(), settings.lagInterval(), System::nanoTime);
        this.gapCheck = new OffsetGapCheck(observers.deletedUnapplied());
    }

    /** What a worker reports to: the lag gauges and the count of records deleted before they were applied. */
    record Observers(LagTracker lag, com.codahale.metrics.Counter deletedUnapplied) {
    }

    @Override
    public void run() {
        MDC.put("topic", settings.topic());
        state = State.RUNNING;
        try {
            consumer.subscribe(List.of(settings.topic()), new Rebalance());
            while (running.get()) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(settings.pollTimeout());
                boolean pausedNow = control.isPaused(settings.topic());
                if (!records.isEmpty() && pausedNow) {
                    // Paused while this poll was under way: once a pause is confirmed, nothing more may be applied.
                    rewind(records);
                } else if (!records.isEmpty()) {
                    flow.accept(records);
                }
                if (!pausedNow) {
                    flow.tick();
                }
                waiting = flow.waiting();
                // After the flow took the poll's records: those it holds for a retry are lag, not done.
                lag.maybeRead(consumer, flow.progress()::firstWaiting);
                notePositions();
                updatePauses();
                commit();
            }
        } catch (WakeupException e) {
            if (running.get()) {
                fail(e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | StackOverflowError e) {
            fail(e);
        } catch (Error e) {
            fail(e);
            fatal.accept(e);
        } finally {
            closeConsumer();
            MDC.remove("topic");
        }
    }

    /** Asks the loop to finish its batch, commit and close; returns at once. */
    public void shutdown() {
        running.set(false);
        consumer.wakeup();
    }

    public String name() {
        return settings.name();
    }

    public String topic() {
        return settings.topic();
    }

    public State state() {
        return state;
    }

    public Throwable failure() {
        return failure;
    }

    /** Records waiting for a retry (a gauge; read from other threads). */
    public int waiting() {
        return waiting;
    }

    private void updatePauses() {
        if (pauses.operator(control.isPaused(settings.topic()))) {
            LOG.info("{}: {} by an operator", settings.name(), pauses.operatorPaused() ? "paused" : "resumed");
        }
        int waitingNow = flow.waiting();
        if (!pauses.backpressured() && waitingNow >= settings.maxWaiting()) {
            pauses.backpressure(true);
            LOG.warn("{}: {} records wait for a retry (limit {}); pausing {} until half of them are done",
                    settings.name(), waitingNow, settings.maxWaiting(), consumer.assignment());
        } else if (pauses.backpressured() && waitingNow < settings.maxWaiting() / 2) {
            pauses.backpressure(false);
            LOG.info("{}: backlog down to {}; resuming", settings.name(), waitingNow);
        }
        pauses.apply();
        control.seen(settings.name(), settings.topic(), pauses.operatorPaused());
    }

    /** Tells the flow where the consumer stands in its partitions; a poll's records were all taken or put back. */
    private void notePositions() {
        Set<TopicPartition> assigned = consumer.assignment();
        for (TopicPartition partition : flow.partitions()) {
            // Only partitions the flow already handles: their position is known, so asking for it never blocks.
            if (assigned.contains(partition)) {
                flow.reached(partition, consumer.position(partition));
            }
        }
    }

    /** Puts a poll's records back: the next fetch of each partition, once resumed, starts at its first one. */
    private void rewind(ConsumerRecords<byte[], byte[]> records) {
        for (TopicPartition partition : records.partitions()) {
            consumer.seek(partition, records.records(partition).get(0).offset());
        }
    }

    private void commit() {
        Map<TopicPartition, OffsetAndMetadata> offsets = flow.commitCandidates(flow.partitions());
        if (offsets.isEmpty()) {
            return;
        }
        try {
            commitSync(offsets);
        } catch (WakeupException e) {
            // shutdown() was called mid-commit: commit what the shards already hold before leaving
            commitSync(offsets);
            throw e;
        } catch (CommitFailedException | RebalanceInProgressException e) {
            // The partitions moved on; their new owner re-reads from the last commit, and writes are idempotent.
            LOG.warn("{}: commit failed after a rebalance, {} will be redelivered: {}", settings.name(),
                    offsets.keySet(), e.getMessage());
        } catch (RetriableException e) {
            LOG.warn("{}: commit will be retried: {}", settings.name(), e.getMessage());
        }
    }

    private void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
        consumer.commitSync(offsets);
        flow.committed(offsets);
    }

    private void closeConsumer() {
        // After a set-aside transaction of unknown outcome the group may hold offsets past what this worker counts as
        // done: committing those partitions now could move them back, and what was set aside would be read and set
        // aside again. Their next owner reads them from the group's offsets once the transaction is resolved.
        flow.forget(setAsides.inDoubt());
        try {
            commit();
        } catch (KafkaException e) {
            LOG.warn("{}: final commit failed, the uncommitted records will be redelivered: {}", settings.name(),
                    e.toString());
        }
        if (flow.waiting() > 0) {
            LOG.warn("{}: stopping with {} record(s) still waiting for a retry; they are not committed and will be"
                    + " read again", settings.name(), flow.waiting());
        }
        try {
            consumer.close(Duration.ofSeconds(5));
        } catch (KafkaException e) {
            LOG.warn("{}: close failed: {}", settings.name(), e.toString());
        }
        setAsides.close();
        control.gone(settings.name());
        if (state != State.FAILED) {
            state = State.STOPPED;
        }
        LOG.info("{} stopped", settings.name());
    }

    private void fail(Throwable e) {
        failure = e;
        state = State.FAILED;
        LOG.error("{} failed and stops consuming {}; everything not done stays uncommitted and will be read again",
                settings.name(), settings.topic(), e);
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // Still the owner here: hand the partitions over with everything done committed.
            Map<TopicPartition, OffsetAndMetadata> offsets = flow.commitCandidates(partitions);
            try {
                if (!offsets.isEmpty()) {
                    consumer.commitSync(offsets);
                }
            } catch (WakeupException e) {
                // A shutdown is under way; the handover commit matters more than leaving a moment sooner.
                consumer.commitSync(offsets);
            } catch (KafkaException e) {
                LOG.warn("{}: handover commit of {} failed, they will be redelivered: {}", settings.name(),
                        partitions, e.toString());
            } finally {
                forget(partitions);
            }
            LOG.info("{}: revoked {}", settings.name(), partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            // No longer the owner: committing now could overwrite the new owner's progress.
            forget(partitions);
            LOG.warn("{}: lost {} without a clean handover; they will be redelivered", settings.name(), partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            gapCheck.check(consumer, partitions);
            boolean changed = pauses.operator(control.isPaused(settings.topic()));
            // An operator's pause and the backlog's hold cover partitions assigned afresh, before their first fetch.
            pauses.apply();
            LOG.info("{}: assigned {}{}", settings.name(), partitions,
                    pauses.operatorPaused() ? " (paused by an operator)" : changed ? " (resumed by an operator)" : "");
        }

        private void forget(Collection<TopicPartition> partitions) {
            flow.forget(partitions);
            lag.forget(partitions);
            waiting = flow.waiting();
        }
    }
}
