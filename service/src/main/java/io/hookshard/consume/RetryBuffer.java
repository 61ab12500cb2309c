package io.hookshard.consume;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The records of a worker's partitions that failed transiently and wait in memory for a retry, with the retry
 * schedule (exponential backoff with jitter while they keep failing), and so what each partition may commit. One
 * worker thread owns it.
 */
final class RetryBuffer {
    private final Backoff backoff;
    private final LongSupplier nanoTime;
    private final Map<TopicPartition, PartitionProgress> progress = new HashMap<>();
    private int attempt;
    private long nextRetryAtNanos;

    RetryBuffer(Backoff backoff, LongSupplier nanoTime) {
        this.backoff = backoff;
        this.nanoTime = nanoTime;
    }

    /** Records the handler's verdict on a partition's records up to {@code lastOffset}: {@code failed} wait. */
    void handled(TopicPartition partition, long lastOffset, Collection<ConsumerRecord<byte[], byte[]>> failed) {
        progressOf(partition).handled(lastOffset, failed);
    }

    /** The first records began to wait: retries start afresh. Returns the delay before the first retry. */
    java.time.Duration startRetrying() {
        attempt = 0;
        return schedule();
    }

    boolean due() {
        return waiting() > 0 && nanoTime.getAsLong() - nextRetryAtNanos >= 0;
    }

    /** Up to {@code limit} waiting records, oldest first, so that one retry round never holds the loop for long. */
    List<ConsumerRecord<byte[], byte[]>> oldest(int limit) {
        List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
        progress.values().forEach(partition -> all.addAll(partition.waiting()));
        all.sort(Comparator.comparingLong((ConsumerRecord<byte[], byte[]> record) -> record.timestamp())
                .thenComparingLong(ConsumerRecord::offset));
        return all.size() > limit ? all.subList(0, limit) : all;
    }

    /**
     * Records the outcome of a retry round over {@code batch}: those in {@code stillFailing} keep waiting. Returns the
     * delay before the next round while records still fail, else null (the next round may run at once).
     */
    java.time.Duration retried(List<ConsumerRecord<byte[], byte[]>> batch,
                               Collection<ConsumerRecord<byte[], byte[]>> stillFailing) {
        java.util.Set<ConsumerRecord<byte[], byte[]>> failing = java.util.Collections.newSetFromMap(
                new java.util.IdentityHashMap<>());
        failing.addAll(stillFailing);
        for (ConsumerRecord<byte[], byte[]> record : batch) {
            PartitionProgress partition = progress.get(partitionOf(record));
            if (partition != null && !failing.contains(record)) {
                partition.done(record.offset());
            }
        }
        if (stillFailing.isEmpty()) {
            attempt = 0;
            nextRetryAtNanos = nanoTime.getAsLong();
            return null;
        }
        attempt++;
        return schedule();
    }

    int attempt() {
        return attempt;
    }

    int waiting() {
        int total = 0;
        for (PartitionProgress partition : progress.values()) {
            total += partition.waitingCount();
        }
        return total;
    }

    /** What may be committed now for {@code partitions}: per partition, up to the lowest record not done. */
    Map<TopicPartition, OffsetAndMetadata> commitCandidates(Collection<TopicPartition> partitions) {
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

    Collection<TopicPartition> partitions() {
        return progress.keySet();
    }

    void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
        offsets.forEach((partition, offset) -> {
            PartitionProgress partitionProgress = progress.get(partition);
            if (partitionProgress != null) {
                partitionProgress.committed(offset.offset());
            }
        });
    }

    /** The partitions are no longer this worker's: their waiting records are the next owner's to read again. */
    void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(progress::remove);
    }

    private java.time.Duration schedule() {
        java.time.Duration delay = backoff.delay(attempt);
        nextRetryAtNanos = nanoTime.getAsLong() + delay.toNanos();
        return delay;
    }

    private PartitionProgress progressOf(TopicPartition partition) {
        return progress.computeIfAbsent(partition, ignored -> new PartitionProgress());
    }

    static TopicPartition partitionOf(ConsumerRecord<byte[], byte[]> record) {
        return new TopicPartition(record.topic(), record.partition());
    }
}
