package io.hookshard.move;

import io.hookshard.db.BucketFence;
import io.hookshard.db.SessionLock;
import io.hookshard.db.ShardDatabases;
import io.hookshard.router.BucketRange;
import io.hookshard.routing.Catalog;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The deferred delete of a move: a source keeps the rows of buckets it moved away for a grace period (a reader on a
 * stale map still finds them, and an operator can look), then {@code shards cleanup} deletes them. The ownership
 * tombstone stays, so a writer on an old map is still refused. A shard that moved buckets away may be the target of a
 * later move bringing them back, whose copied rows sit under the same tombstone until that move switches: cleanup
 * never runs beside a move, and leaves alone the buckets of a move that was interrupted.
 */
public final class BucketCleanup {
    private final ShardDatabases shards;
    private final Catalog catalog;

    public BucketCleanup(ShardDatabases shards, Catalog catalog) {
        this.shards = shards;
        this.catalog = catalog;
    }

    /** Deletes, on every shard, the rows of buckets it moved away longer than {@code grace} ago; returns the rows. */
    public long run(Duration grace, Consumer<String> progress) {
        return catalog.jdbi().withHandle(lockHandle -> {
            SessionLock lock = BucketMover.tryMoveLock(lockHandle).orElseThrow(() -> new IllegalStateException(
                    "a bucket move is running; run the cleanup once it is done"));
            try {
                return runAlone(lock, grace, progress);
            } finally {
                lock.release();
            }
        });
    }

    private long runAlone(SessionLock lock, Duration grace, Consumer<String> progress) {
        Optional<Move> unfinished = Move.unfinished(catalog.jdbi());
        unfinished.ifPresent(move -> progress.accept("leaving buckets " + BucketRange.compact(move.buckets())
                + " alone on " + move.to() + ": move " + move.id() + " to it is unfinished (state " + move.state()
                + "); run it again (shards move) to finish it"));
        long total = 0;
        for (String shard : shards.shardIds()) {
            List<Integer> moved = new ArrayList<>(shards.jdbi(shard).withHandle(handle -> handle.createQuery("""
                            SELECT bucket FROM bucket_ownership
                            WHERE state = 'moved' AND changed_at <= now() - make_interval(secs => :grace)
                            ORDER BY bucket""")
                    .bind("grace", (double) grace.toSeconds()).mapTo(Integer.class).list()));
            unfinished.filter(move -> move.to().equals(shard)).ifPresent(move -> moved.removeAll(move.buckets()));
            if (moved.isEmpty()) {
                continue;
            }
            // Lost, the lock no longer keeps out a move that started since the unfinished one was read above and may
            // be copying these buckets back here.
            lock.requireHeld("deleting moved rows on " + shard);
            long deleted = BucketCopier.delete(shards.jdbi(shard), moved);
            shards.jdbi(shard).useHandle(handle -> handle.createUpdate(
                            "DELETE FROM bucket_usage WHERE bucket = ANY(:buckets::integer[])")
                    .bind("buckets", moved.toArray(Integer[]::new)).execute());
            progress.accept(shard + ": deleted " + deleted + " row(s) of buckets " + BucketRange.compact(moved)
                    + ", moved away more than " + grace + " ago");
            total += deleted;
        }
        progress.accept("done: " + total + " row(s) deleted");
        return total;
    }

    /** Buckets of {@code shard} in a state, as ranges (for status output). */
    public List<BucketRange> inState(String shard, String state) {
        return BucketRange.compact(shards.jdbi(shard).withHandle(handle -> BucketFence.inState(handle, state)));
    }
}
