package io.hookshard.kafka;

import io.hookshard.processing.Outcome;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
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
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One thread, one KafkaConsumer. Polls, hands each batch to the {@link BatchHandler}, commits synchronously only
 * what the shards committed. A partition whose records must be retried is rewound to the first such record and
 * paused for a backoff, while the loop keeps polling (and so stays in the group) and other partitions keep flowing.
 */
public final class ConsumerWorker implements Runnable {
    public enum State { CREATED, RUNNING, STOPPED, FAILED }

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerWorker.class);

    private record Retry(int attempts, long resumeAtNanos) {
    }

    private final String name;
    private final String topic;
    private final Consumer<byte[], byte[]> consumer;
    private final BatchHandler handler;
    private final Backoff backoff;
    private final Duration pollTimeout;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Map<TopicPartition, OffsetAndMetadata> uncommitted = new HashMap<>();
    private final Map<TopicPartition, Retry> retrying = new HashMap<>();
    private volatile State state = State.CREATED;
    private volatile Throwable failure;

    ConsumerWorker(String name, String topic, Consumer<byte[], byte[]> consumer, BatchHandler handler, Backoff backoff,
                   Duration pollTimeout) {
        this.name = name;
        this.topic = topic;
        this.consumer = consumer;
        this.handler = handler;
        this.backoff = backoff;
        this.pollTimeout = pollTimeout;
    }

    @Override
    public void run() {
        MDC.put("topic", topic);
        state = State.RUNNING;
        try {
            consumer.subscribe(List.of(topic), new Rebalance());
            while (running.get()) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(pollTimeout);
                resumeDuePartitions();
                if (!records.isEmpty()) {
                    process(records);
                }
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

    public State state() {
        return state;
    }

    public Throwable failure() {
        return failure;
    }

    private void process(ConsumerRecords<byte[], byte[]> records) throws InterruptedException {
        Map<TopicPartition, BatchHandler.Decision> decisions = handler.handle(records);
        decisions.forEach((partition, decision) -> {
            uncommitted.put(partition, new OffsetAndMetadata(decision.commitOffset()));
            if (decision.retry() == null) {
                retrying.remove(partition);
            } else {
                scheduleRetry(partition, decision.commitOffset(), decision.retry());
            }
        });
    }

    private void scheduleRetry(TopicPartition partition, long offset, Outcome outcome) {
        Retry previous = retrying.get(partition);
        int attempts = previous == null ? 0 : previous.attempts() + 1;
        Duration delay = backoff.delay(attempts);
        retrying.put(partition, new Retry(attempts, System.nanoTime() + delay.toNanos()));
        consumer.seek(partition, offset);
        consumer.pause(List.of(partition));
        LOG.warn("{}: partition {} retries from offset {} in {} ms (attempt {}): {} {}", name, partition, offset,
                delay.toMillis(), attempts + 1, outcome.reason(), outcome.detail());
    }

    private void resumeDuePartitions() {
        long now = System.nanoTime();
        List<TopicPartition> due = retrying.entrySet().stream()
                .filter(entry -> entry.getValue().resumeAtNanos() - now <= 0)
                .map(Map.Entry::getKey)
                .filter(partition -> consumer.assignment().contains(partition))
                .toList();
        if (!due.isEmpty()) {
            consumer.resume(due);
        }
    }

    private void commit() {
        if (uncommitted.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(uncommitted);
            uncommitted.clear();
        } catch (WakeupException e) {
            // shutdown() was called mid-batch: commit what the shards already hold before leaving
            consumer.commitSync(uncommitted);
            uncommitted.clear();
            throw e;
        } catch (CommitFailedException | RebalanceInProgressException e) {
            // The partitions moved on; their new owner re-reads from the last commit, and writes are idempotent.
            LOG.warn("{}: commit failed after a rebalance, {} will be redelivered: {}", name, uncommitted.keySet(),
                    e.getMessage());
            uncommitted.clear();
        } catch (RetriableException e) {
            LOG.warn("{}: commit will be retried: {}", name, e.getMessage());
        }
    }

    private void closeConsumer() {
        try {
            commit();
        } catch (KafkaException e) {
            LOG.warn("{}: final commit failed, the uncommitted records will be redelivered: {}", name, e.toString());
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

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            Map<TopicPartition, OffsetAndMetadata> revoked = new HashMap<>();
            for (TopicPartition partition : partitions) {
                OffsetAndMetadata offset = uncommitted.remove(partition);
                if (offset != null) {
                    revoked.put(partition, offset);
                }
                retrying.remove(partition);
            }
            if (!revoked.isEmpty()) {
                // Still the owner here: hand the partitions over with everything processed committed.
                consumer.commitSync(revoked);
            }
            LOG.info("{}: revoked {}", name, partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            // No longer the owner: committing now could overwrite the new owner's progress.
            for (TopicPartition partition : partitions) {
                uncommitted.remove(partition);
                retrying.remove(partition);
            }
            LOG.warn("{}: lost {} without a clean handover; they will be redelivered", name, partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            LOG.info("{}: assigned {}", name, partitions);
        }
    }
}
