package io.hookshard.consume;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * One worker's writes to the dead-letter and parking topics, made exactly once with a Kafka transaction (KIP-447, as
 * Kafka Streams does): what is set aside and the consumer offsets that then pass it are committed together, or
 * neither is. Without this, a crash or a lost partition between the broker's ack and the worker's next commit made
 * the record be read, and set aside, again. The caller sends one or more records, then commits them with offsets that
 * may pass them (every earlier record of their partitions is done); readers of those topics use read_committed, so
 * an aborted or unfinished transaction is never seen.
 *
 * <p>The transactional producer is built on first use and again after a failure it cannot recover from; its
 * {@code transactional.id} is the worker's, so a new one fences its predecessor. One worker thread owns this.
 */
final class SetAsides implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SetAsides.class);

    /**
     * A commit failed and its abort too, so whether the transaction committed is not known (a commit that timed out
     * may still complete). The worker must stop without committing these partitions and let the group re-read them
     * from the offsets it really holds, which the broker answers only once the transaction is resolved. The worker
     * learns which partitions from {@link #inDoubt()}.
     */
    static final class InDoubtException extends KafkaException {
        private final Set<TopicPartition> partitions;

        InDoubtException(Set<TopicPartition> partitions, Throwable cause) {
            super("a set-aside transaction over " + partitions + " may or may not have committed", cause);
            this.partitions = Set.copyOf(partitions);
        }

        Set<TopicPartition> partitions() {
            return partitions;
        }
    }

    private final Supplier<Producer<byte[], byte[]>> producers;
    private final Consumer<byte[], byte[]> consumer;
    private final java.util.function.Consumer<Map<TopicPartition, OffsetAndMetadata>> committed;
    private final List<Runnable> onCommit = new ArrayList<>();
    private final Set<TopicPartition> inDoubt = new HashSet<>();
    private Producer<byte[], byte[]> producer;
    private boolean inTransaction;

    /**
     * @param producers builds a transactional producer (not yet initialised) with this worker's transactional.id
     * @param consumer  the worker's consumer, whose group metadata fences a member that lost its partitions
     * @param committed told of the offsets each transaction committed, so that later commits never go below them
     */
    SetAsides(Supplier<Producer<byte[], byte[]>> producers, Consumer<byte[], byte[]> consumer,
              java.util.function.Consumer<Map<TopicPartition, OffsetAndMetadata>> committed) {
        this.producers = producers;
        this.consumer = consumer;
        this.committed = committed;
    }

    /**
     * Sends a record in the open transaction (opening one first); {@code afterCommit} runs once it is committed.
     * A failure to send surfaces here or at {@link #commit}.
     */
    void send(ProducerRecord<byte[], byte[]> record, Runnable afterCommit) {
        if (!inTransaction) {
            producer().beginTransaction();
            inTransaction = true;
        }
        producer.send(record);
        onCommit.add(afterCommit);
    }

    /** Whether records were sent since the last commit or abort. */
    boolean pending() {
        return inTransaction;
    }

    /**
     * Commits the records sent since the last commit together with {@code offsets}. On failure the transaction is
     * aborted and the exception rethrown: nothing was committed, so the records are not done. Should the abort fail
     * too, {@link InDoubtException}.
     */
    void commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
        if (!inTransaction) {
            return;
        }
        List<Runnable> committedNow = List.copyOf(onCommit);
        boolean committing = false;
        try {
            producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            committing = true;
            producer.commitTransaction();
        } catch (RuntimeException e) {
            // Before commitTransaction was called, nothing can have committed, whatever the abort does.
            abort(committing ? offsets.keySet() : Set.of(), e);
            throw e;
        } catch (Error e) {
            // On the way out of the process: the broker may have committed, so these partitions must not be
            // committed again from what this worker knows.
            inDoubt.addAll(offsets.keySet());
            throw e;
        } finally {
            inTransaction = false;
            onCommit.clear();
        }
        committed.accept(offsets);
        committedNow.forEach(Runnable::run);
    }

    /**
     * The partitions of transactions that may or may not have committed: the group may hold offsets past what the
     * worker counts as done, so the worker must not commit them any more (a commit moves the group's offset back).
     */
    Set<TopicPartition> inDoubt() {
        return Set.copyOf(inDoubt);
    }

    /** Drops what was sent since the last commit (nothing of it is ever read). */
    void abort() {
        if (inTransaction) {
            abort(Set.of(), null);
        }
        inTransaction = false;
        onCommit.clear();
    }

    @Override
    public void close() {
        try {
            abort();
        } catch (InDoubtException e) {
            LOG.warn("aborting the open set-aside transaction failed; the broker aborts it when it times out: {}",
                    e.getCause().toString());
        }
        discard();
    }

    private void abort(Set<TopicPartition> partitions, RuntimeException cause) {
        try {
            producer.abortTransaction();
        } catch (RuntimeException e) {
            // Fenced, or a timeout: this producer is done for (the next one's initTransactions fences it and ends its
            // transaction). If the commit was under way, whether it committed is unknown.
            if (cause != null) {
                e.addSuppressed(cause);
            }
            discard();
            if (partitions.isEmpty()) {
                LOG.warn("aborting a set-aside transaction that never committed failed: {}", e.toString());
                return;
            }
            inDoubt.addAll(partitions);
            throw new InDoubtException(partitions, e);
        }
    }

    private Producer<byte[], byte[]> producer() {
        if (producer == null) {
            Producer<byte[], byte[]> fresh = producers.get();
            try {
                // Fences an earlier producer of this worker and resolves the transaction it may have left open.
                fresh.initTransactions();
            } catch (RuntimeException e) {
                fresh.close(Duration.ZERO);
                throw e;
            }
            producer = fresh;
        }
        return producer;
    }

    private void discard() {
        if (producer != null) {
            try {
                producer.close(Duration.ZERO);
            } catch (RuntimeException e) {
                LOG.warn("closing the set-aside producer failed: {}", e.toString());
            }
            producer = null;
        }
    }
}
