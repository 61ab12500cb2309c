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
import java.util.Set;

/**
 * A worker's progress over its partitions: which records wait (for a retry, or for what a parked record needs), and so
 * what each partition may commit: up to the lowest record not done. One worker thread owns it.
 */
final class Progress {
    private final Map<TopicPartition, PartitionProgress> partitions = new HashMap<>();

    /** Every record of {@code partition} up to {@code lastOffset} has a fate; those in {@code waiting} wait. */
    void handled(TopicPartition partition, long lastOffset, Collection<ConsumerRecord<byte[], byte[]>> waiting) {
        partitions.computeIfAbsent(partition, ignored -> new PartitionProgress()).handled(lastOffset, waiting);
    }

    /** Everything of a partition this worker already handles, before {@code position}, was handed to the flow. */
    void reached(TopicPartition partition, long position) {
        PartitionProgress progress = partitions.get(partition);
        if (progress != null && position > 0) {
            progress.handled(position - 1, List.of());
        }
    }

    /** A waiting record is done (on a partition still assigned; otherwise its next owner reads it again). */
    void done(ConsumerRecord<byte[], byte[]> record) {
        PartitionProgress partition = partitions.get(partitionOf(record));
        if (partition != null) {
            partition.done(record.offset());
        }
    }

    /** Whether a record before {@code record} in its partition waits. */
    boolean hasWaitingBefore(ConsumerRecord<byte[], byte[]> record) {
        PartitionProgress partition = partitions.get(partitionOf(record));
        return partition != null && partition.hasWaitingBefore(record.offset());
    }

    /** Whether a record before {@code record} in its partition waits, other than those in {@code except}. */
    boolean hasWaitingBefore(ConsumerRecord<byte[], byte[]> record, Set<ConsumerRecord<byte[], byte[]>> except) {
        PartitionProgress partition = partitions.get(partitionOf(record));
        return partition != null && partition.waitingBefore(record.offset()).stream()
                .anyMatch(waiting -> !except.contains(waiting));
    }

    /** The lowest offset of {@code partition} still waiting, or {@link Long#MAX_VALUE} when none waits. */
    long firstWaiting(TopicPartition partition) {
        PartitionProgress progress = partitions.get(partition);
        return progress == null ? Long.MAX_VALUE : progress.firstWaiting();
    }

    boolean isWaiting(ConsumerRecord<byte[], byte[]> record) {
        PartitionProgress partition = partitions.get(partitionOf(record));
        return partition != null && partition.isWaiting(record);
    }

    /** Up to {@code limit} waiting records, oldest first. */
    List<ConsumerRecord<byte[], byte[]>> oldest(int limit) {
        List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
        partitions.values().forEach(partition -> all.addAll(partition.waiting()));
        all.sort(Comparator.comparingLong((ConsumerRecord<byte[], byte[]> record) -> record.timestamp())
                .thenComparingLong(ConsumerRecord::offset));
        return all.size() > limit ? List.copyOf(all.subList(0, limit)) : all;
    }

    int waiting() {
        int total = 0;
        for (PartitionProgress partition : partitions.values()) {
            total += partition.waitingCount();
        }
        return total;
    }

    /** What may be committed now for {@code assigned}: per partition, up to the lowest record not done. */
    Map<TopicPartition, OffsetAndMetadata> commitCandidates(Collection<TopicPartition> assigned) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition partition : assigned) {
            PartitionProgress progress = partitions.get(partition);
            long candidate = progress == null ? -1 : progress.commitCandidate();
            if (candidate >= 0) {
                offsets.put(partition, new OffsetAndMetadata(candidate));
            }
        }
        return offsets;
    }

    Collection<TopicPartition> partitions() {
        return List.copyOf(partitions.keySet());
    }

    /**
     * The group now holds these offsets. A set-aside transaction may commit a partition before its batch counts as
     * handled: it is noted all the same, so that no later commit of that partition goes below it.
     */
    void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
        offsets.forEach((partition, offset) -> partitions.computeIfAbsent(partition, ignored -> new PartitionProgress())
                .committed(offset.offset()));
    }

    /** The partitions are no longer this worker's: their waiting records are the next owner's to read again. */
    void forget(Collection<TopicPartition> revoked) {
        revoked.forEach(partitions::remove);
    }

    static TopicPartition partitionOf(ConsumerRecord<byte[], byte[]> record) {
        return new TopicPartition(record.topic(), record.partition());
    }
}
