package io.hookshard.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;

/**
 * One assigned partition's progress: how far it was read, which records still wait for a retry, and so the offset
 * that may be committed: the lowest record still waiting, or the end of what was read.
 */
final class PartitionProgress {
    private final TreeMap<Long, ConsumerRecord<byte[], byte[]>> waiting = new TreeMap<>();
    private long readUpTo = -1;
    private long committed = -1;

    void read(long lastOffset) {
        readUpTo = Math.max(readUpTo, lastOffset + 1);
    }

    void waitFor(ConsumerRecord<byte[], byte[]> record) {
        waiting.put(record.offset(), record);
    }

    void done(long offset) {
        waiting.remove(offset);
    }

    int waitingCount() {
        return waiting.size();
    }

    /** The offset to commit now, or -1 when nothing new may be committed. */
    long commitCandidate() {
        long watermark = waiting.isEmpty() ? readUpTo : waiting.firstKey();
        return watermark > committed ? watermark : -1;
    }

    void committed(long offset) {
        committed = Math.max(committed, offset);
    }

    static List<ConsumerRecord<byte[], byte[]>> oldestFirst(Collection<PartitionProgress> partitions, int limit) {
        List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
        partitions.forEach(progress -> all.addAll(progress.waiting.values()));
        all.sort(java.util.Comparator.comparingLong(ConsumerRecord::timestamp));
        return all.size() > limit ? all.subList(0, limit) : all;
    }
}
