package io.hookshard.db;

import org.jdbi.v3.core.Handle;

import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * The shard's own word on which buckets it may write. A write transaction calls {@link #admit} before writing: it
 * takes the fence's shared lock for the rest of the transaction and checks that every bucket it writes is 'owned' here.
 * Freezing buckets ({@link #freeze}) takes the lock exclusively, so it waits for the writers already inside and every
 * later writer sees the freeze. Refused writes are transient: the record waits, the bucket map is refreshed, and the
 * retry goes where the buckets are now.
 */
public final class BucketFence {
    /** One advisory lock key for the whole shard: writers share it; a freeze, the rare event, takes it alone. */
    static final long LOCK_KEY = 0x686f6f6b73686172L;

    private BucketFence() {
    }

    /**
     * Enters the fence for the rest of the transaction and returns which of {@code buckets} this shard does not own
     * now: the caller writes the others, so that a move freezes only its own buckets' records.
     */
    static java.util.Set<Integer> admit(Handle handle, Collection<Integer> buckets) {
        TreeSet<Integer> wanted = new TreeSet<>(buckets);
        if (wanted.isEmpty()) {
            return wanted;
        }
        handle.createQuery("SELECT pg_advisory_xact_lock_shared(:key)").bind("key", LOCK_KEY).mapTo(String.class)
                .one();
        // A statement of its own, after the lock: its snapshot sees any freeze committed while it waited.
        List<Integer> owned = handle.createQuery("""
                        SELECT bucket FROM bucket_ownership WHERE bucket = ANY(:buckets::integer[]) AND state = 'owned'""")
                .bind("buckets", wanted.toArray(Integer[]::new))
                .mapTo(Integer.class)
                .list();
        wanted.removeAll(owned);
        return wanted;
    }

    /** Freezes {@code buckets} (owned here) once every writer inside has left; returns how many it froze. */
    public static int freeze(Handle handle, Collection<Integer> buckets) {
        handle.createQuery("SELECT pg_advisory_xact_lock(:key)").bind("key", LOCK_KEY).mapTo(String.class).one();
        return handle.createUpdate("""
                        UPDATE bucket_ownership SET state = 'frozen', changed_at = now()
                        WHERE bucket = ANY(:buckets::integer[]) AND state = 'owned'""")
                .bind("buckets", buckets.toArray(Integer[]::new))
                .execute();
    }

    /** Makes {@code buckets} this shard's to write, as of {@code mapVersion}. */
    public static void own(Handle handle, Collection<Integer> buckets, long mapVersion) {
        handle.createUpdate("""
                        INSERT INTO bucket_ownership (bucket, state, map_version)
                        SELECT b, 'owned', :version FROM unnest(:buckets::integer[]) AS b
                        ON CONFLICT (bucket) DO UPDATE SET state = 'owned', map_version = :version, moved_to = NULL,
                            changed_at = now()""")
                .bind("buckets", buckets.toArray(Integer[]::new))
                .bind("version", mapVersion)
                .execute();
    }

    /** Marks {@code buckets} as moved to {@code toShard}: a tombstone every stale writer is refused by. */
    public static void moved(Handle handle, Collection<Integer> buckets, String toShard, long mapVersion) {
        handle.createUpdate("""
                        INSERT INTO bucket_ownership (bucket, state, map_version, moved_to)
                        SELECT b, 'moved', :version, :to FROM unnest(:buckets::integer[]) AS b
                        ON CONFLICT (bucket) DO UPDATE SET state = 'moved', map_version = :version, moved_to = :to,
                            changed_at = now()""")
                .bind("buckets", buckets.toArray(Integer[]::new))
                .bind("version", mapVersion)
                .bind("to", toShard)
                .execute();
    }

    /** Undoes a freeze of buckets still frozen here (an aborted move). */
    public static int unfreeze(Handle handle, Collection<Integer> buckets) {
        handle.createQuery("SELECT pg_advisory_xact_lock(:key)").bind("key", LOCK_KEY).mapTo(String.class).one();
        return handle.createUpdate("""
                        UPDATE bucket_ownership SET state = 'owned', changed_at = now()
                        WHERE bucket = ANY(:buckets::integer[]) AND state = 'frozen'""")
                .bind("buckets", buckets.toArray(Integer[]::new))
                .execute();
    }

    /** The buckets this shard holds in {@code state}. */
    public static List<Integer> inState(Handle handle, String state) {
        return handle.createQuery("SELECT bucket FROM bucket_ownership WHERE state = :state ORDER BY bucket")
                .bind("state", state).mapTo(Integer.class).list();
    }
}
