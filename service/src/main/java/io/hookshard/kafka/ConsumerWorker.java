package io.hookshard.kafka;

import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One thread, one KafkaConsumer. Polls, applies each batch through the {@link BatchHandler}, and commits
 * synchronously, per partition, up to the lowest record not done yet. Records that failed transiently (a shard is
 * down) wait in memory and are retried with backoff while the loop keeps polling, so the rest of every partition
 * keeps flowing and the consumer stays in its group; when too many wait, the worker pauses its partitions until the
 * backlog drains. A crash loses nothing: uncommitted records are read again and the writes are idempotent.
 */
public final class ConsumerWorker implements Runnable {
    public enum State { CREATED, RUNNING, STOPPED, FAILED }

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerWorker.class);

    private final String name;
    private final String topic;
    private final Consumer<byte[], byte[]> consumer;
    private final BatchHandler handler;
    private final Backoff backoff;
    private final Duration pollTimeout;
    private final int maxWaiting;
    private final int retryBatchSize;
    private final boolean gated;
    private final ConsumerControl control;
    private final LagTracker lag;
    private final Map<TopicPartition, Long> delayedUntil = new HashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger waitingGauge = new AtomicInteger();
    private final Map<TopicPartition, PartitionProgress> progress = new HashMap<>();
    private int retryAttempt;
    private long nextRetryAtNanos;
    private boolean backpressure;
    private boolean pausedByOperator;
    private long nextLagReadNanos;
    private volatile State state = State.CREATED;
    private volatile Throwable failure;

    ConsumerWorker(String name, String topic, Consumer<byte[], byte[]> consumer, BatchHandler handler, Backoff backoff,
                   Duration pollTimeout, int maxWaiting, int retryBatchSize, boolean gated, ConsumerControl control,
                   LagTracker lag) {
        this.name = name;
        this.topic = topic;
        this.consumer = consumer;
        this.handler = handler;
        this.backoff = backoff;
        this.pollTimeout = pollTimeout;
        this.maxWaiting = maxWaiting;
        this.retryBatchSize = retryBatchSize;
        this.gated = gated;
        this.control = control;
        this.lag = lag;
    }

    @Override
    public void run() {
        MDC.put("topic", topic);
        state = State.RUNNING;
        try {
            consumer.subscribe(List.of(topic), new Rebalance());
            while (running.get()) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(pollTimeout);
                recordLag();
                resumeDelayedPartitions();
                if (!records.isEmpty()) {
                    process(records);
                }
                if (!pausedByOperator) {
                    retryWaitingIfDue();
                }
                applyBackpressure();
                applyOperatorPause();
                commit();
            }
        } catch (WakeupException e) {
            if (running.get()) {
                fail(e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception | Error e) {
            fail(e);
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
        return name;
    }

    public String topic() {
        return topic;
    }

    public State state() {
        return state;
    }

    public Throwable failure() {
        return failure;
    }

    /** Records waiting for a retry (a gauge; read from other threads). */
    public int waiting() {
        return waitingGauge.get();
    }

    private void process(ConsumerRecords<byte[], byte[]> records) throws InterruptedException {
        List<ConsumerRecord<byte[], byte[]>> ready = new ArrayList<>(records.count());
        for (TopicPartition partition : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> partitionRecords = records.records(partition);
            int due = gated ? dueCount(partition, partitionRecords) : partitionRecords.size();
            ready.addAll(partitionRecords.subList(0, due));
            if (due > 0) {
                progressOf(partition).read(partitionRecords.get(due - 1).offset());
            }
        }
        List<BatchHandler.Retry> retries = ready.isEmpty() ? List.of() : handler.handle(ready);
        if (!retries.isEmpty()) {
            boolean firstFailure = totalWaiting() == 0;
            retries.forEach(retry -> progressOf(partitionOf(retry.record())).waitFor(retry.record()));
            if (firstFailure) {
                retryAttempt = 0;
                scheduleRetry(retries.get(0));
            }
        }
        updateGauge();
    }

    /**
     * How many of a parked partition's records are due; at the first that is not, the partition is rewound to it
     * and paused until its time (parked records are appended in roughly the order they fall due).
     */
    private int dueCount(TopicPartition partition, List<ConsumerRecord<byte[], byte[]>> partitionRecords) {
        long now = System.currentTimeMillis();
        for (int i = 0; i < partitionRecords.size(); i++) {
            long notBefore = Parking.notBefore(partitionRecords.get(i));
            if (notBefore > now) {
                consumer.seek(partition, partitionRecords.get(i).offset());
                consumer.pause(List.of(partition));
                delayedUntil.put(partition, notBefore);
                return i;
            }
        }
        return partitionRecords.size();
    }

    private void resumeDelayedPartitions() {
        if (delayedUntil.isEmpty()) {
            return;
        }
        long now = System.currentTimeMillis();
        List<TopicPartition> due = delayedUntil.entrySet().stream().filter(entry -> entry.getValue() <= now)
                .map(Map.Entry::getKey).toList();
        due.forEach(delayedUntil::remove);
        if (!backpressure && !pausedByOperator && !due.isEmpty()) {
            consumer.resume(due);
        }
    }

    /**
     * Log end minus position, read from the broker every two seconds: a paused partition is not fetched, so the
     * lag a fetch reports would stand still exactly when it grows.
     */
    private void recordLag() {
        if (System.nanoTime() - nextLagReadNanos < 0 || consumer.assignment().isEmpty()) {
            return;
        }
        nextLagReadNanos = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        try {
            Map<TopicPartition, Long> ends = consumer.endOffsets(consumer.assignment(), Duration.ofSeconds(2));
            ends.forEach((partition, end) -> lag.update(partition,
                    Math.max(0, end - consumer.position(partition, Duration.ofSeconds(2)))));
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            LOG.debug("{}: lag not read this time: {}", name, e.getMessage());
        }
    }

    private void applyOperatorPause() {
        boolean wanted = control.isPaused(topic);
        if (wanted && !pausedByOperator) {
            pausedByOperator = true;
            consumer.pause(consumer.assignment());
            LOG.info("{}: paused by an operator", name);
        } else if (!wanted && pausedByOperator) {
            pausedByOperator = false;
            resumeWhatMayRun();
            LOG.info("{}: resumed by an operator", name);
        }
    }

    /** Resumes every paused partition that neither an operator, the backlog nor a parked record holds back. */
    private void resumeWhatMayRun() {
        if (pausedByOperator || backpressure) {
            return;
        }
        consumer.resume(consumer.paused().stream().filter(partition -> !delayedUntil.containsKey(partition)).toList());
    }

    private void retryWaitingIfDue() throws InterruptedException {
        if (totalWaiting() == 0 || System.nanoTime() - nextRetryAtNanos < 0) {
            return;
        }
        // One batch at a time, oldest first, so that a retry round never keeps the loop from polling for long.
        List<ConsumerRecord<byte[], byte[]>> batch = PartitionProgress.oldestFirst(progress.values(), retryBatchSize);
        List<BatchHandler.Retry> stillFailing = handler.handle(batch);
        java.util.Set<ConsumerRecord<byte[], byte[]>> failing = java.util.Collections.newSetFromMap(
                new java.util.IdentityHashMap<>());
        stillFailing.forEach(retry -> failing.add(retry.record()));
        for (ConsumerRecord<byte[], byte[]> record : batch) {
            if (!failing.contains(record)) {
                progressOf(partitionOf(record)).done(record.offset());
            }
        }
        if (stillFailing.isEmpty()) {
            retryAttempt = 0;
            nextRetryAtNanos = System.nanoTime();
            if (totalWaiting() == 0) {
                LOG.info("{}: every waiting record is applied; retries are over", name);
            }
        } else {
            retryAttempt++;
            scheduleRetry(stillFailing.get(0));
        }
        updateGauge();
    }

    private void scheduleRetry(BatchHandler.Retry example) {
        Duration delay = backoff.delay(retryAttempt);
        nextRetryAtNanos = System.nanoTime() + delay.toNanos();
        LOG.warn("{}: {} record(s) wait for a retry in {} ms (attempt {}); e.g. {}-{}@{}: {} {}", name, totalWaiting(),
                delay.toMillis(), retryAttempt + 1, example.record().topic(), example.record().partition(),
                example.record().offset(), example.outcome().reason(), example.outcome().detail());
    }

    private void applyBackpressure() {
        int waiting = totalWaiting();
        if (!backpressure && waiting >= maxWaiting) {
            backpressure = true;
            consumer.pause(consumer.assignment());
            LOG.warn("{}: {} records wait for a retry (limit {}); pausing {} until they drain", name, waiting,
                    maxWaiting, consumer.assignment());
        } else if (backpressure && waiting < maxWaiting / 2) {
            backpressure = false;
            resumeWhatMayRun();
            LOG.info("{}: backlog down to {}; resuming", name, waiting);
        }
    }

    private void commit() {
        Map<TopicPartition, OffsetAndMetadata> offsets = commitCandidates(progress.keySet());
        if (offsets.isEmpty()) {
            return;
        }
        try {
            commitSync(offsets);
        } catch (WakeupException e) {
            // shutdown() was called mid-batch: commit what the shards already hold before leaving
            commitSync(offsets);
            throw e;
        } catch (CommitFailedException | RebalanceInProgressException e) {
            // The partitions moved on; their new owner re-reads from the last commit, and writes are idempotent.
            LOG.warn("{}: commit failed after a rebalance, {} will be redelivered: {}", name, offsets.keySet(),
                    e.getMessage());
        } catch (RetriableException e) {
            LOG.warn("{}: commit will be retried: {}", name, e.getMessage());
        }
    }

    private Map<TopicPartition, OffsetAndMetadata> commitCandidates(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition partition : partitions) {
            PartitionProgress partitionProgress = progress.get(partition);
            long candidate = partitionProgress == null ? -1 : partitionProgress.commitCandidate();
            if (candidate >= 0) {
                offsets.put(partition, new OffsetAndMetadata(candidate));
            }
        }
        return offsets;
    }

    private void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
        consumer.commitSync(offsets);
        offsets.forEach((partition, offset) -> {
            PartitionProgress partitionProgress = progress.get(partition);
            if (partitionProgress != null) {
                partitionProgress.committed(offset.offset());
            }
        });
    }

    private void closeConsumer() {
        try {
            commit();
        } catch (KafkaException e) {
            LOG.warn("{}: final commit failed, the uncommitted records will be redelivered: {}", name, e.toString());
        }
        if (totalWaiting() > 0) {
            LOG.warn("{}: stopping with {} record(s) still waiting for a retry; they are not committed and will be"
                    + " read again", name, totalWaiting());
        }
        try {
            consumer.close(Duration.ofSeconds(5));
        } catch (KafkaException e) {
            LOG.warn("{}: close failed: {}", name, e.toString());
        }
        if (state != State.FAILED) {
            state = State.STOPPED;
        }
        LOG.info("{} stopped", name);
    }

    private void fail(Throwable e) {
        failure = e;
        state = State.FAILED;
        LOG.error("{} failed and stopped consuming {}; its partitions go to the other members of the group", name,
                topic, e);
    }

    private PartitionProgress progressOf(TopicPartition partition) {
        return progress.computeIfAbsent(partition, ignored -> new PartitionProgress());
    }

    private static TopicPartition partitionOf(ConsumerRecord<byte[], byte[]> record) {
        return new TopicPartition(record.topic(), record.partition());
    }

    private int totalWaiting() {
        return progress.values().stream().mapToInt(PartitionProgress::waitingCount).sum();
    }

    private void updateGauge() {
        waitingGauge.set(totalWaiting());
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // Still the owner here: hand the partitions over with everything done committed.
            Map<TopicPartition, OffsetAndMetadata> offsets = commitCandidates(partitions);
            try {
                if (!offsets.isEmpty()) {
                    consumer.commitSync(offsets);
                }
            } finally {
                partitions.forEach(progress::remove);
                partitions.forEach(delayedUntil::remove);
                partitions.forEach(lag::forget);
                updateGauge();
            }
            LOG.info("{}: revoked {}", name, partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            // No longer the owner: committing now could overwrite the new owner's progress.
            partitions.forEach(progress::remove);
            partitions.forEach(delayedUntil::remove);
            partitions.forEach(lag::forget);
            updateGauge();
            LOG.warn("{}: lost {} without a clean handover; they will be redelivered", name, partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            // An operator's pause and the backlog's hold survive the handover.
            if (backpressure || pausedByOperator) {
                consumer.pause(partitions);
            }
            LOG.info("{}: assigned {}", name, partitions);
        }
    }
}
