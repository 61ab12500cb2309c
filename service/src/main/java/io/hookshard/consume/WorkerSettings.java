package io.hookshard.consume;

import java.time.Duration;

import static java.util.Objects.requireNonNull;

/**
 * How one worker runs.
 *
 * @param name        its thread's name, {@code kafka-<topic>-<n>}
 * @param maxWaiting  records waiting in its flow past which it stops reading more until half are done
 * @param lagInterval how often the lag is read from the broker
 */
public record WorkerSettings(String name, String topic, Duration pollTimeout, int maxWaiting, Duration lagInterval) {
    public WorkerSettings {
        requireNonNull(name, "name");
        requireNonNull(topic, "topic");
        requireNonNull(pollTimeout, "pollTimeout");
        requireNonNull(lagInterval, "lagInterval");
        if (maxWaiting < 2) {
            throw new IllegalArgumentException("maxWaiting must be at least 2, got " + maxWaiting);
        }
    }
}
