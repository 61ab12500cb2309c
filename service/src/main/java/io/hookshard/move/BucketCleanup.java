package io.hookshard.move;

import io.hookshard.db.BucketFence;
import io.hookshard.db.ShardDatabases;
import io.hookshard.router.BucketRange;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * The deferred delete of a move: a source keeps the rows of buckets it moved away for a grace period (a reader on a
 * stale map still finds them, and an operator can look), then {@code shards cleanup} deletes them. The ownership
 * tombstone stays, so a writer on an old map is still refused.
 */
public final class BucketCleanup {
    private final ShardDatabases shards;

    public BucketCleanup(ShardDatabases shards) {
        this.shards = shards;
    }

    /** Deletes, on every shard, the rows of buckets it moved away longer than {@code grace} ago; returns the rows. */
    public long run(Duration grace, Consumer<String> progress) {
        long total = 0;
        for (String shard : shards.shardIds()) {
            List<Integer> moved = shards.jdbi(shard).withHandle(handle -> handle.createQuery("""
                            SELECT bucket FROM bucket_ownership
                            WHERE state = 'moved' AND changed_at <= now() - make_interval(secs => :grace)
                            ORDER BY bucket""")
                    .bind("grace", (double) grace.toSeconds()).mapTo(Integer.class).list());
            if (moved.isEmpty()) {
                continue;
            }
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
