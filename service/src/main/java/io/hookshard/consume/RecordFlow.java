package io.hookshard.consume;

import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.util.Collection;
import java.util.Map;

/**
 * What a worker does with the records it polls: a webhook topic's records are applied and retried while they fail
 * transiently ({@link RetryingFlow}); a parking topic's are held until what they wait for arrives
 * ({@link ParkedFlow}). Either way a flow knows, per partition, up to where everything is done: its {@link Progress},
 * to which the bookkeeping below goes.
 */
interface RecordFlow {
    /** The flow's bookkeeping of what is done and what waits, per partition. */
    Progress progress();

    /** Takes a poll's records: each gets its fate, or waits in the flow. Returns only once that is known. */
    void accept(ConsumerRecords<byte[], byte[]> records) throws InterruptedException;

    /** Works on waiting records that are due; called on every loop while the topic is not paused by an operator. */
    void tick() throws InterruptedException;

    /** Records waiting in the flow. */
    default int waiting() {
        return progress().waiting();
    }

    /** The partitions the flow has progress for; {@link #commitCandidates} of them is what may be committed. */
    default Collection<TopicPartition> partitions() {
        return progress().partitions();
    }

    default Map<TopicPartition, OffsetAndMetadata> commitCandidates(Collection<TopicPartition> partitions) {
        return progress().commitCandidates(partitions);
    }

    /**
     * The consumer's position in a partition once its polled records were taken: everything before it was handed to
     * the flow. It can lie past the last record, after the commit marker of a transaction (parking topics are
     * written in transactions), and the commit must pass such markers too, or the lag never reaches 0.
     */
    default void reached(TopicPartition partition, long position) {
        progress().reached(partition, position);
    }

    default void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
        progress().committed(offsets);
    }

    /** The partitions went to another member: drop what waits of them (their new owner reads it again). */
    default void forget(Collection<TopicPartition> partitions) {
        progress().forget(partitions);
    }
}
