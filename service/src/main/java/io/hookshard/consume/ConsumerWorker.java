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

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;


/**
 * One thread, one KafkaConsumer. Polls, hands each batch to the {@link RecordHandler}, which gives every record a
 * fate, and commits synchronously, per partition, up to the lowest record that has none yet or waits for a retry.
 * Records that failed transiently wait in the {@link RetryBuffer} and are retried with backoff while the loop keeps
 * polling, so the rest of every partition keeps flowing and the consumer stays in its group; {@link Pauses} holds the
 * partitions back while an operator, the backlog or a parked record says so. Whatever ends the loop, the last commit
 * is that same watermark, so a crash or a bug loses nothing: what was not done is read again, and the writes are
 * idempotent. An {@link Error} other than a stack overflow goes to the fatal handler, which stops the process.
 */
public final class ConsumerWorker implements Runnable {
    public enum State { CREATED, RUNNING, STOPPED, FAILED }

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerWorker.class);

    private final WorkerSettings settings;
    private final org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer;
    private final RecordHandler handler;
    private final ConsumerControl control;
    private final java.util.function.Consumer<Error> fatal;
    private final Clock clock;
    private final RetryBuffer retries;
    private final Pauses pauses;
    private final LagProbe lag;
    private final OffsetGapCheck gapCheck;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private volatile int waiting;
    private volatile State state = State.CREATED;
    private volatile Throwable failure;

    /**
     * @param fatal called with an {@link Error} that must not leave the process limping (in production: log and halt)
     */
    ConsumerWorker(WorkerSettings settings, org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer,
                   RecordHandler handler, ConsumerControl control, Observers observers,
                   java.util.function.Consumer<Error> fatal,
                   Clock clock) {
        this.settings = settings;
        this.consumer = consumer;
        this.handler = handler;
        this.control = control;
        this.fatal = fatal;
        this.clock = clock;
        this.retries = new RetryBuffer(settings.retryBackoff(), System::nanoTime);
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
                lag.maybeRead(consumer);
                if (!records.isEmpty()) {
                    process(records);
                }
                if (!pauses.operatorPaused()) {
                    retryIfDue();
                }
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

    private void process(ConsumerRecords<byte[], byte[]> records) throws InterruptedException {
        List<ConsumerRecord<byte[], byte[]>> ready = new ArrayList<>(records.count());
        Map<TopicPartition, Long> lastOffsets = new LinkedHashMap<>();
        for (TopicPartition partition : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> partitionRecords = records.records(partition);
            int due = settings.parkedTopic() ? dueCount(partition, partitionRecords) : partitionRecords.size();
            if (due > 0) {
                ready.addAll(partitionRecords.subList(0, due));
                lastOffsets.put(partition, partitionRecords.get(due - 1).offset());
            }
        }
        if (ready.isEmpty()) {
            return;
        }
        List<RecordHandler.Retry> failed = handler.handle(ready);
        // Only now, with every record's fate known, does the batch count as handled.
        boolean firstToWait = retries.waiting() == 0;
        Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> failedByPartition = new HashMap<>();
        failed.forEach(retry -> failedByPartition.computeIfAbsent(RetryBuffer.partitionOf(retry.record()),
                partition -> new ArrayList<>()).add(retry.record()));
        lastOffsets.forEach((partition, last) -> retries.handled(partition, last,
                failedByPartition.getOrDefault(partition, List.of())));
        if (firstToWait && !failed.isEmpty()) {
            logRetry(retries.startRetrying(), failed.get(0));
        }
        waiting = retries.waiting();
    }

    /**
     * How many of a parked partition's records are due; at the first that is not, the partition is rewound to it
     * and held until its time (parked records are appended in roughly the order they fall due).
     */
    private int dueCount(TopicPartition partition, List<ConsumerRecord<byte[], byte[]>> partitionRecords) {
        long now = clock.millis();
        for (int i = 0; i < partitionRecords.size(); i++) {
            long notBefore = Parking.notBefore(partitionRecords.get(i));
            if (notBefore > now) {
                consumer.seek(partition, partitionRecords.get(i).offset());
                pauses.parkUntil(partition, notBefore);
                return i;
            }
        }
        return partitionRecords.size();
    }

    private void retryIfDue() throws InterruptedException {
        if (!retries.due()) {
            return;
        }
        List<ConsumerRecord<byte[], byte[]>> batch = List.copyOf(retries.oldest(settings.retryBatchSize()));
        List<RecordHandler.Retry> stillFailing = handler.handle(batch);
        Duration delay = retries.retried(batch, stillFailing.stream().map(RecordHandler.Retry::record).toList());
        if (delay != null) {
            logRetry(delay, stillFailing.get(0));
        } else if (retries.waiting() == 0) {
            LOG.info("{}: every waiting record is done; retries are over", settings.name());
        }
        waiting = retries.waiting();
    }

    private void logRetry(Duration delay, RecordHandler.Retry example) {
        LOG.warn("{}: {} record(s) wait for a retry in {} ms (attempt {}); e.g. {}-{}@{}: {} {}", settings.name(),
                retries.waiting(), delay.toMillis(), retries.attempt() + 1, example.record().topic(),
                example.record().partition(), example.record().offset(), example.outcome().reason(),
                example.outcome().detail());
    }

    private void updatePauses() {
        if (pauses.operator(control.isPaused(settings.topic()))) {
            LOG.info("{}: {} by an operator", settings.name(), pauses.operatorPaused() ? "paused" : "resumed");
        }
        int waitingNow = retries.waiting();
        if (!pauses.backpressured() && waitingNow >= settings.maxWaiting()) {
            pauses.backpressure(true);
            LOG.warn("{}: {} records wait for a retry (limit {}); pausing {} until half of them are done",
                    settings.name(), waitingNow, settings.maxWaiting(), consumer.assignment());
        } else if (pauses.backpressured() && waitingNow < settings.maxWaiting() / 2) {
            pauses.backpressure(false);
            LOG.info("{}: backlog down to {}; resuming", settings.name(), waitingNow);
        }
        pauses.apply(clock.millis());
    }

    private void commit() {
        Map<TopicPartition, OffsetAndMetadata> offsets = retries.commitCandidates(retries.partitions());
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
        retries.committed(offsets);
    }

    private void closeConsumer() {
        try {
            commit();
        } catch (KafkaException e) {
            LOG.warn("{}: final commit failed, the uncommitted records will be redelivered: {}", settings.name(),
                    e.toString());
        }
        if (retries.waiting() > 0) {
            LOG.warn("{}: stopping with {} record(s) still waiting for a retry; they are not committed and will be"
                    + " read again", settings.name(), retries.waiting());
        }
        try {
            consumer.close(Duration.ofSeconds(5));
        } catch (KafkaException e) {
            LOG.warn("{}: close failed: {}", settings.name(), e.toString());
        }
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
            Map<TopicPartition, OffsetAndMetadata> offsets = retries.commitCandidates(partitions);
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
            // An operator's pause and the backlog's hold cover partitions assigned afresh, before their first fetch.
            pauses.apply(clock.millis());
            LOG.info("{}: assigned {}", settings.name(), partitions);
        }

        private void forget(Collection<TopicPartition> partitions) {
            retries.forget(partitions);
            pauses.forget(partitions);
            lag.forget(partitions);
            waiting = retries.waiting();
        }
    }
}
