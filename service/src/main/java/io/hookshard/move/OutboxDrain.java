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
    /** Before the freeze, a relay this far behind the moving buckets' last row is waited for while they still flow. */
    private static final long OUTBOX_BACKLOG = 500;
    private static final Duration PROGRESS_WINDOW = Duration.ofSeconds(2);
    private static final Duration OUTBOX_BACKLOG_WAIT = Duration.ofMinutes(2);

    private OutboxDrain() {
    }

    /**
     * The freeze waits until the source's relay has published the moving buckets' downstream events, and the relay
     * publishes the whole shard's rows in seq order: a backlog (after a burst, or a restart) would make that wait the
     * longest part of the freeze. So, while the buckets still flow, the move first waits until the relay has fewer than
     * a batch or so of rows left before the moving buckets' last one, or stops gaining on them (a relay that keeps
     * up only just is not waited for), or a deadline passes; the freeze's own wait then decides.
     */
    static void awaitBacklog(Move move, Jdbi source, Consumer<String> progress) {
        long deadline = System.nanoTime() + OUTBOX_BACKLOG_WAIT.toNanos();
        long ahead = unpublishedUpTo(source, move);
        if (ahead <= OUTBOX_BACKLOG) {
            return;
        }
        progress.accept(ahead + " downstream event(s) on " + move.from() + " are to be published before the last of"
                + " these buckets'; waiting for its relay before freezing them");
        long before = ahead;
        long comparedAt = System.nanoTime();
        while (ahead > OUTBOX_BACKLOG && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted before move " + move.id() + " froze its buckets; run the"
                        + " move again to finish it", e);
            }
            ahead = unpublishedUpTo(source, move);
            if (System.nanoTime() - comparedAt > PROGRESS_WINDOW.toNanos()) {
                if (ahead >= before) {
                    progress.accept(ahead + " downstream event(s) still ahead, no fewer than " + PROGRESS_WINDOW
                            + " ago; freezing now");
                    return;
                }
                before = ahead;
                comparedAt = System.nanoTime();
            }
        }
        if (ahead > OUTBOX_BACKLOG) {
            progress.accept(ahead + " downstream event(s) still ahead after " + OUTBOX_BACKLOG_WAIT + "; freezing"
                    + " anyway (the move aborts if the relay has not published them " + OUTBOX_DRAIN + " into the"
                    + " freeze)");
        }
    }

    private static long unpublishedUpTo(Jdbi source, Move move) {
        return source.withHandle(handle -> OutboxRows.unpublishedUpTo(handle, move.buckets()));
    }

    /**
     * The downstream events of the moving buckets made on the source must be published by the source's relay before
     * the buckets leave it (README, "Downstream events"): outbox rows are not copied, so the source publishes every
     * change made before the move and the target every change after it, in that order. Writes are frozen, so the
     * count only falls. A relay that does not drain them in time aborts the move.
     */
    static void awaitPublished(Move move, Jdbi source, Runnable beforeUnfreeze, Consumer<String> progress) {
        long deadline = System.nanoTime() + OUTBOX_DRAIN.toNanos();
        long unpublished;
        while ((unpublished = source.withHandle(handle -> OutboxRows.unpublishedIn(handle, move.buckets()))) > 0) {
            if (System.nanoTime() - deadline > 0) {
                beforeUnfreeze.run();
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
