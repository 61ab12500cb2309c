package io.hookshard.consume;

import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.util.Collection;
import java.util.Map;

/**
 * What a worker does with the records it polls: a webhook topic's records are applied and retried while they fail
 * transiently ({@link RetryingFlow}); a parking topic's are held until what they wait for arrives
 * ({@link ParkedFlow}). Either way a flow knows, per partition, up to where everything is done.
 */
interface RecordFlow {
    /** Takes a poll's records: each gets its fate, or waits in the flow. Returns only once that is known. */
    void accept(ConsumerRecords<byte[], byte[]> records) throws InterruptedException;

    /** Works on waiting records that are due; called on every loop while the topic is not paused by an operator. */
    void tick() throws InterruptedException;

    /** Records waiting in the flow. */
    int waiting();

    /** The partitions the flow has progress for; {@link #commitCandidates} of them is what may be committed. */
    Collection<TopicPartition> partitions();

    Map<TopicPartition, OffsetAndMetadata> commitCandidates(Collection<TopicPartition> partitions);

    /**
     * The consumer's position in a partition once its polled records were taken: everything before it was handed to
     * the flow. It can lie past the last record, after the commit marker of a transaction (parking topics are
     * written in transactions), and the commit must pass such markers too, or the lag never reaches 0.
     */
    void reached(TopicPartition partition, long position);

    void committed(Map<TopicPartition, OffsetAndMetadata> offsets);

    /** The partitions went to another member: drop what waits of them (their new owner reads it again). */
    void forget(Collection<TopicPartition> partitions);
}
