package io.hookshard.db;

import io.hookshard.router.BucketFunction;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Gives rows written before rows carried their bucket (changeset 5-row-buckets) the bucket of their routing key. The
 * bucket function lives in Java, so the migration cannot; this runs after every migration and finds nothing to do once
 * a shard is filled. Keys go in batches, so a large shard is filled without one huge transaction.
 */
public final class RowBuckets {
    private static final Logger LOG = LoggerFactory.getLogger(RowBuckets.class);
    private static final int BATCH = 5_000;

    /** A table and the column whose value is its rows' routing key. */
    private record Keyed(String table, String keyColumn) {
    }

    private static final List<Keyed> TABLES = List.of(new Keyed("orders", "user_id"),
            new Keyed("order_events", "user_id"), new Keyed("disputes", "user_id"),
            new Keyed("dispute_events", "user_id"), new Keyed("order_directory", "order_id"));

    private RowBuckets() {
    }

    /** Fills every missing bucket on the shard of {@code handle}; returns how many rows it filled. */
    public static long fill(Handle handle, BucketFunction buckets) {
        long filled = 0;
        for (Keyed keyed : TABLES) {
            while (true) {
                List<String> keys = handle.createQuery("SELECT DISTINCT " + keyed.keyColumn() + " FROM "
                                + keyed.table() + " WHERE bucket IS NULL LIMIT " + BATCH)
                        .mapTo(String.class).list();
                if (keys.isEmpty()) {
                    break;
                }
                filled += handle.createUpdate("UPDATE " + keyed.table() + " t SET bucket = v.bucket FROM unnest("
                                + ":keys::text[], :buckets::integer[]) AS v(key, bucket) WHERE t." + keyed.keyColumn()
                                + " = v.key AND t.bucket IS NULL")
                        .bind("keys", keys.toArray(String[]::new))
                        .bind("buckets", keys.stream().map(buckets::bucketOf).toArray(Integer[]::new))
                        .execute();
            }
        }
        // The inbox row of an event lives and moves with the event's row: the same bucket.
        filled += handle.createUpdate("""
                UPDATE inbox i SET bucket = e.bucket FROM order_events e
                WHERE i.bucket IS NULL AND i.event_type = 'payment.order' AND e.provider_event_id = i.provider_event_id
                  AND e.bucket IS NOT NULL""").execute();
        filled += handle.createUpdate("""
                UPDATE inbox i SET bucket = e.bucket FROM dispute_events e
                WHERE i.bucket IS NULL AND i.event_type = 'payment.chargeback'
                  AND e.provider_event_id = i.provider_event_id AND e.bucket IS NOT NULL""").execute();
        long orphans = handle.createQuery("SELECT count(*) FROM inbox WHERE bucket IS NULL").mapTo(Long.class).one();
        if (orphans > 0) {
            LOG.warn("{} inbox row(s) have no event row to take a bucket from; a bucket move leaves them behind",
                    orphans);
        }
        if (filled > 0) {
            LOG.info("filled the bucket of {} row(s) written before rows carried one", filled);
        }
        return filled;
    }
}
