package io.hookshard.outbox;

import org.jdbi.v3.core.Handle;

import java.time.Duration;
import java.util.Optional;

/**
 * A seq at or below which one shard's outbox holds no unpublished row and never will, so that the relay's reads can
 * start above it. Without it every read walks, from the lowest seq, the index entries that the rows published since
 * the last vacuum left in {@code outbox_unpublished_idx}: in the benchmark, the read's time grew from 6 ms to 19-26 ms
 * per batch once a million rows had been published.
 *
 * <p>The floor cannot simply follow what was published: a transaction may hold a seq it drew before later rows were
 * committed and published, and commit after them. So the floor moves in two steps. First it observes the sequence's
 * last value V and the time T. Later, once no transaction of this database that began before T (plus a second, for a
 * clock that stepped back) is still open, every row with a seq up to V is committed or will never exist; the floor
 * then moves to V, or to just below the lowest row still unpublished if that is lower.
 */
final class ReadFloor {
    /** Tolerance for the database's clock stepping back between a transaction's start and the observation. */
    static final Duration CLOCK_MARGIN = Duration.ofSeconds(1);

    private final Duration interval;
    private long floor;
    private OutboxRows.SeqObservation pending;
    private long lastTryNanos;

    /** @param interval how often {@link #advance} does any work; between times it returns at once */
    ReadFloor(Duration interval) {
        this.interval = interval;
        this.lastTryNanos = System.nanoTime() - interval.toNanos();
    }

    /** Every row at or below this seq is published, or was never committed. */
    long value() {
        return floor;
    }

    /** Starts again from zero: after the connection was lost, the database may have been restored from a backup. */
    void reset() {
        floor = 0;
        pending = null;
    }

    /** Moves the floor if the observation it waits on has settled, then observes again; at most once per interval. */
    void advance(Handle handle) {
        if (System.nanoTime() - lastTryNanos < interval.toNanos()) {
            return;
        }
        lastTryNanos = System.nanoTime();
        if (pending != null) {
            if (!OutboxRows.noTransactionBegunBefore(handle, pending.at().plus(CLOCK_MARGIN))) {
                return;
            }
            // Read after the check, so every transaction that drew a seq up to the observed value is visible to it.
            Optional<Long> lowestUnpublished = OutboxRows.lowestUnpublishedAbove(handle, floor);
            long settled = lowestUnpublished.map(seq -> Math.min(pending.lastValue(), seq - 1))
                    .orElse(pending.lastValue());
            floor = Math.max(floor, settled);
        }
        pending = OutboxRows.observeSeq(handle).orElse(null);
        if (pending != null && pending.lastValue() < floor) {
            // The sequence went back (a restored database): nothing known of the old one holds.
            reset();
        }
    }
}
