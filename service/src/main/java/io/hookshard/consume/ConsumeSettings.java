package io.hookshard.consume;

import java.time.Duration;

/**
 * Everything the consumer side is configured with, as read from the configuration.
 *
 * @param retryBatchSize records retried per round, oldest first
 * @param dedupWindow    how long the inbox remembers events: older envelopes are dead-lettered; zero: no limit
 */
public record ConsumeSettings(int workersPerTopic, Duration pollTimeout, int maxWaiting, Duration lagInterval,
                              Backoff retryBackoff, int retryBatchSize, ParkTiming parking, Duration dedupWindow) {
    WorkerSettings worker(String name, String topic) {
        return new WorkerSettings(name, topic, pollTimeout, maxWaiting, lagInterval);
    }
}
