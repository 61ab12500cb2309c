package io.hookshard.consume;

import java.time.Duration;

/**
 * How parked records are paced.
 *
 * @param window        how long a parked record may wait (counted while what it waits for is being consumed)
 * @param checkInterval how often held records are checked for readiness
 * @param recheck       the pause before a record that was ready but still failed is tried again
 * @param hold          how long a record is held in memory before it is re-parked, by attempt
 * @param batchSize     records applied, re-parked or dead-lettered per check at most
 */
public record ParkTiming(Duration window, Duration checkInterval, Backoff recheck, Backoff hold, int batchSize) {
}
