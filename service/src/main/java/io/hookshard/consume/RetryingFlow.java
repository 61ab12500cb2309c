package io.hookshard.consume;

import io.hookshard.processing.Outcome;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A webhook topic's records: each poll is handed to the {@link RecordHandler}; records that failed transiently wait
 * here and are retried, oldest first, with exponential backoff and jitter while they keep failing, for as long as it
 * takes. The rest of their partitions keeps flowing; commits stay below the lowest one still waiting. Records refused
 * only because their shard does not own their bucket now (a move froze it) are retried at a short fixed interval
 * instead: a freeze ends within seconds, and backoff grown over it would delay them long after it ended.
 */
final class RetryingFlow implements RecordFlow {
    private static final Logger LOG = LoggerFactory.getLogger(RetryingFlow.class);
    /** About the map's refresh interval or less: a moved bucket's records follow the switch within a second. */
    static final Backoff NOT_OWNED_RETRY = new Backoff(Duration.ofMillis(100), Duration.ofMillis(250));
    /** While records wait for a frozen bucket, one log line per this many retry rounds (about every 5 s). */
    private static final int NOT_OWNED_LOG_EVERY = 25;

    private final String name;
    private final RecordHandler handler;
    private final Backoff backoff;
    private final int retryBatchSize;
    private final LongSupplier nanoTime;
    private final Progress progress;
    private int attempt;
    private long nextRetryAtNanos;

    /** @param progress the worker's progress, which its {@link SetAsides} also reports transactional commits to */
    RetryingFlow(String name, Progress progress, RecordHandler handler, Backoff backoff, int retryBatchSize,
                 LongSupplier nanoTime) {
        this.name = name;
        this.progress = progress;
        this.handler = handler;
        this.backoff = backoff;
        this.retryBatchSize = retryBatchSize;
        this.nanoTime = nanoTime;
    }

    @Override
    public void accept(ConsumerRecords<byte[], byte[]> records) throws InterruptedException {
        List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>(records.count());
        records.forEach(batch::add);
        List<RecordHandler.Retry> failed = handler.handle(batch, progress::hasWaitingBefore);
        // Only now, with every record's fate known, does the batch count as handled.
        boolean firstToWait = progress.waiting() == 0;
        Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> failedByPartition = new HashMap<>();
        failed.forEach(retry -> failedByPartition.computeIfAbsent(Progress.partitionOf(retry.record()),
                partition -> new ArrayList<>()).add(retry.record()));
        for (TopicPartition partition : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> partitionRecords = records.records(partition);
            progress.handled(partition, partitionRecords.get(partitionRecords.size() - 1).offset(),
                    failedByPartition.getOrDefault(partition, List.of()));
        }
        if (firstToWait && !failed.isEmpty()) {
            attempt = 0;
            logRetry(schedule(failed), failed.get(0));
        }
    }

    @Override
    public void tick() throws InterruptedException {
        if (progress.waiting() == 0 || nanoTime.getAsLong() - nextRetryAtNanos < 0) {
            return;
        }
        // One batch at a time, so that a retry round never keeps the loop from polling for long.
        List<ConsumerRecord<byte[], byte[]>> batch = progress.oldest(retryBatchSize);
        List<RecordHandler.Retry> stillFailing = handler.handle(batch, progress::hasWaitingBefore);
        java.util.Set<ConsumerRecord<byte[], byte[]>> failing = java.util.Collections.newSetFromMap(
                new java.util.IdentityHashMap<>());
        stillFailing.forEach(retry -> failing.add(retry.record()));
        batch.stream().filter(record -> !failing.contains(record)).forEach(progress::done);
        if (stillFailing.isEmpty()) {
            attempt = 0;
            nextRetryAtNanos = nanoTime.getAsLong();
            if (progress.waiting() == 0) {
                LOG.info("{}: every waiting record is done; retries are over", name);
            }
        } else {
            attempt++;
            Duration delay = schedule(stillFailing);
            if (!onlyNotOwned(stillFailing) || attempt % NOT_OWNED_LOG_EVERY == 0) {
                logRetry(delay, stillFailing.get(0));
            }
        }
    }

    private Duration schedule(List<RecordHandler.Retry> failing) {
        Duration delay = onlyNotOwned(failing) ? NOT_OWNED_RETRY.delay(attempt) : backoff.delay(attempt);
        nextRetryAtNanos = nanoTime.getAsLong() + delay.toNanos();
        return delay;
    }

    /** A down shard among them keeps the backoff: a short interval would only hammer it. */
    private static boolean onlyNotOwned(List<RecordHandler.Retry> failing) {
        return failing.stream().allMatch(retry -> Outcome.BUCKET_NOT_OWNED.equals(retry.outcome().reason()));
    }

    private void logRetry(Duration delay, RecordHandler.Retry example) {
        LOG.warn("{}: {} record(s) wait for a retry in {} ms (attempt {}); e.g. {}-{}@{}: {} {}", name,
                progress.waiting(), delay.toMillis(), attempt + 1, example.record().topic(),
                example.record().partition(), example.record().offset(), example.outcome().reason(),
                example.outcome().detail());
    }

    @Override
    public Progress progress() {
        return progress;
    }
}
