package io.hookshard.move;

import io.hookshard.db.BucketFence;
import io.hookshard.outbox.OutboxRows;
import org.jdbi.v3.core.Jdbi;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * A move's waits on the source's outbox relay: outbox rows are not copied, so the source must publish the moving
 * buckets' downstream events before they leave it (README, "Downstream events").
 */
final class OutboxDrain {
    /** How long a frozen move waits for the source's relay to publish the moving buckets' downstream events. */
    private static final Duration OUTBOX_DRAIN = Duration.ofSeconds(30);
    /** Before the freeze, a relay this far behind on the moving buckets is waited for while they still flow. */
    private static final long OUTBOX_BACKLOG = 1_000;
    private static final Duration OUTBOX_BACKLOG_WAIT = Duration.ofMinutes(2);

    private OutboxDrain() {
    }

    /**
     * The freeze waits until the source's relay has published the moving buckets' downstream events; a relay with a
     * backlog (after a burst, or a restart) would make that the longest part of the freeze. So a backlog is waited for
     * first, while the buckets still flow, until what is left is what a few seconds of traffic adds. A relay that does
     * not get there in time is only reported: the freeze's own wait then decides.
     */
    static void awaitBacklog(Move move, Jdbi source, Consumer<String> progress) {
        long deadline = System.nanoTime() + OUTBOX_BACKLOG_WAIT.toNanos();
        long unpublished = source.withHandle(handle -> OutboxRows.unpublishedIn(handle, move.buckets()));
        if (unpublished <= OUTBOX_BACKLOG) {
            return;
        }
        progress.accept(unpublished + " downstream event(s) of these buckets are not yet published by " + move.from()
                + "'s relay; waiting for it before freezing them");
        while (unpublished > OUTBOX_BACKLOG && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted before move " + move.id() + " froze its buckets; run the"
                        + " move again to finish it", e);
            }
            unpublished = source.withHandle(handle -> OutboxRows.unpublishedIn(handle, move.buckets()));
        }
        if (unpublished > OUTBOX_BACKLOG) {
            progress.accept(unpublished + " downstream event(s) still unpublished after " + OUTBOX_BACKLOG_WAIT
                    + "; freezing anyway (the move aborts if the relay has not published them " + OUTBOX_DRAIN
                    + " into the freeze)");
        }
    }

    /**
     * The downstream events of the moving buckets made on the source must be published by the source's relay before
     * the buckets leave it (README, "Downstream events"): outbox rows are not copied, so the source publishes every
     * change made before the move and the target every change after it, in that order. Writes are frozen, so the
     * count only falls. A relay that does not drain them in time aborts the move.
     */
    static void awaitPublished(Move move, Jdbi source, Consumer<String> progress) {
        long deadline = System.nanoTime() + OUTBOX_DRAIN.toNanos();
        long unpublished;
        while ((unpublished = source.withHandle(handle -> OutboxRows.unpublishedIn(handle, move.buckets()))) > 0) {
            if (System.nanoTime() - deadline > 0) {
                source.useTransaction(handle -> BucketFence.unfreeze(handle, move.buckets()));
                move.aborted(unpublished + " downstream event(s) still unpublished after " + OUTBOX_DRAIN);
                throw new IllegalStateException("move " + move.id() + " aborted, the source owns its buckets again: "
                        + unpublished + " downstream event(s) of the moving buckets were still unpublished on "
                        + move.from() + " after " + OUTBOX_DRAIN + " (is its relay paused or failing?)");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the outbox; run the move again", e);
            }
        }
        progress.accept("the moving buckets' downstream events are all published by " + move.from());
    }
}
