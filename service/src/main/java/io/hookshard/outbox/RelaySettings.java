package io.hookshard.outbox;

import java.time.Duration;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * How the relays poll, publish, back off and trim.
 *
 * @param batchSize       rows read and sent at a time; all are acknowledged before the next read
 * @param pollInterval    the wait after a read that found fewer rows than a batch
 * @param standbyInterval how often a relay that does not hold its shard's lock (another instance's does) tries again
 * @param backoffMin      the first wait after a failure (shard or broker), doubling up to {@code backoffMax}
 * @param retention       how long published rows stay in the outbox before they are trimmed
 * @param trimInterval    how often the publishing relay trims
 * @param measureInterval how often the backlog (rows and age of the oldest) is measured
 */
public record RelaySettings(int batchSize, Duration pollInterval, Duration standbyInterval, Duration backoffMin,
                            Duration backoffMax, Duration retention, Duration trimInterval, Duration measureInterval) {
    public RelaySettings {
        checkArgument(batchSize > 0, "batchSize must be positive, got %s", batchSize);
        checkArgument(!backoffMax.minus(backoffMin).isNegative(), "backoffMax %s is below backoffMin %s", backoffMax,
                backoffMin);
    }

    Duration backoff(int failures) {
        Duration delay = backoffMin;
        for (int i = 1; i < failures && delay.compareTo(backoffMax) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(backoffMax) > 0 ? backoffMax : delay;
    }
}
