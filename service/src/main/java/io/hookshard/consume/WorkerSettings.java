package io.hookshard.consume;

import java.time.Duration;

import static java.util.Objects.requireNonNull;

/**
 * How one worker runs.
 *
 * @param name           its thread's name, {@code kafka-<topic>-<n>}
 * @param parkedTopic    whether {@code topic} holds parked records, each applied only once it falls due
 * @param maxWaiting     records waiting for a retry past which the worker stops reading more until half drained
 * @param retryBatchSize records retried per round, oldest first
 * @param lagInterval    how often the lag is read from the broker
 */
public record WorkerSettings(String name, String topic, boolean parkedTopic, Duration pollTimeout, int maxWaiting,
                             int retryBatchSize, Backoff retryBackoff, Duration lagInterval) {
    public WorkerSettings {
        requireNonNull(name, "name");
        requireNonNull(topic, "topic");
        requireNonNull(pollTimeout, "pollTimeout");
        requireNonNull(retryBackoff, "retryBackoff");
        requireNonNull(lagInterval, "lagInterval");
        if (maxWaiting < 2) {
            throw new IllegalArgumentException("maxWaiting must be at least 2, got " + maxWaiting);
        }
        if (retryBatchSize < 1) {
            throw new IllegalArgumentException("retryBatchSize must be at least 1, got " + retryBatchSize);
        }
    }
}
