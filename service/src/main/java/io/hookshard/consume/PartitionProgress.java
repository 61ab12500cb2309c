package io.hookshard.consume;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.Collection;
import java.util.TreeMap;

/**
 * One assigned partition's progress: up to where every record has a fate (done, or waiting for a retry), which
 * records still wait, and so the offset that may be committed: the lowest record still waiting, or the end of what
 * was handled. A record handed to the handler counts only once the handler returned: a batch that never came back
 * (the worker died in it) moves nothing.
 */
final class PartitionProgress {
    private final TreeMap<Long, ConsumerRecord<byte[], byte[]>> waiting = new TreeMap<>();
    private long handledUpTo = -1;
    private long committed = -1;

    /** Every record up to {@code lastOffset} has been handled; those in {@code stillWaiting} wait for a retry. */
    void handled(long lastOffset, Collection<ConsumerRecord<byte[], byte[]>> stillWaiting) {
        stillWaiting.forEach(record -> waiting.put(record.offset(), record));
        handledUpTo = Math.max(handledUpTo, lastOffset + 1);
    }

    void done(long offset) {
        waiting.remove(offset);
    }

    boolean hasWaitingBefore(long offset) {
        return !waiting.headMap(offset).isEmpty();
    }

    Collection<ConsumerRecord<byte[], byte[]>> waitingBefore(long offset) {
        return waiting.headMap(offset).values();
    }

    boolean isWaiting(ConsumerRecord<byte[], byte[]> record) {
        return waiting.get(record.offset()) == record;
    }

    Collection<ConsumerRecord<byte[], byte[]>> waiting() {
        return waiting.values();
    }

    int waitingCount() {
        return waiting.size();
    }

    /** The lowest offset still waiting, or {@link Long#MAX_VALUE} when none waits. */
    long firstWaiting() {
        return waiting.isEmpty() ? Long.MAX_VALUE : waiting.firstKey();
    }

    /** The offset to commit now, or -1 when nothing new may be committed. */
    long commitCandidate() {
        long watermark = waiting.isEmpty() ? handledUpTo : waiting.firstKey();
        return watermark > committed ? watermark : -1;
    }

    void committed(long offset) {
        committed = Math.max(committed, offset);
    }
}
