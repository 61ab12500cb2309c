package io.hookshard.db;

import org.jdbi.v3.core.Handle;

import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/** Marks the buckets that hold rows on a shard, inside the transaction that writes those rows. */
final class BucketUsageDao {
    private BucketUsageDao() {
    }

    static void mark(Handle handle, Collection<Integer> buckets) {
        if (buckets.isEmpty()) {
            return;
        }
        // Sorted and distinct: concurrent writers lock the same keys in the same order.
        Integer[] sorted = new TreeSet<>(buckets).toArray(Integer[]::new);
        handle.createUpdate("""
                        INSERT INTO bucket_usage (bucket)
                        SELECT * FROM unnest(:buckets::integer[])
                        ON CONFLICT (bucket) DO NOTHING""")
                .bind("buckets", sorted)
                .execute();
    }

    static List<Integer> used(Handle handle) {
        return handle.createQuery("SELECT bucket FROM bucket_usage ORDER BY bucket").mapTo(Integer.class).list();
    }
}
