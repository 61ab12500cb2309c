package io.hookshard.move;

import io.dropwizard.lifecycle.Managed;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At start, one WARN line if a bucket move was left unfinished: a mover killed mid-move leaves its buckets frozen, or
 * a partial copy on the target, and an instance started afterwards would otherwise say nothing of it.
 */
public final class UnfinishedMoveNotice implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(UnfinishedMoveNotice.class);

    private final BucketMover mover;

    public UnfinishedMoveNotice(BucketMover mover) {
        this.mover = mover;
    }

    @Override
    public void start() {
        try {
            mover.unfinishedNotice().ifPresent(LOG::warn);
        } catch (RuntimeException e) {
            // The catalog shard's own health check says why; starting is not held up for a notice.
            LOG.warn("could not look for an unfinished bucket move: {}", e.toString());
        }
    }
}
