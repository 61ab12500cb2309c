package io.hookshard.outbox;

import org.jdbi.v3.core.Handle;

import java.time.Duration;
import java.util.Collection;
import java.util.List;

/** The relay's statements on one shard's outbox, each in a transaction of its own on the relay's connection. */
public final class OutboxRows {
    /**
     * The session-level advisory lock that makes one relay per shard database publish: advisory lock keys are scoped
     * to the database, so every shard has its own. The value spells "hookshrd" in ASCII, to be recognisable in
     * pg_locks (classid 1752133483, objid 1936224868).
     */
    static final long RELAY_LOCK = 0x686f6f6b73687264L;

    private OutboxRows() {
    }

    /** An unpublished row, as the relay sends it. */
    record Row(long seq, String key, String payload) {
    }

    /** How far a shard's relay is behind: unpublished rows, and the age of the oldest by the database's clock. */
    record Backlog(long unpublished, double oldestAgeSeconds) {
    }

    /** Takes the relay lock for this connection's session if no other session holds it; never waits. */
    static boolean tryLock(Handle handle) {
        return handle.createQuery("SELECT pg_try_advisory_lock(:key)").bind("key", RELAY_LOCK)
                .mapTo(Boolean.class).one();
    }

    /** The oldest unpublished rows, in seq order: the order of the transactions that wrote them, per aggregate. */
    static List<Row> unpublished(Handle handle, int limit) {
        return handle.createQuery("""
                        SELECT seq, aggregateid, payload::text FROM outbox
                        WHERE published_at IS NULL ORDER BY seq LIMIT :limit""")
                .bind("limit", limit)
                .map((rs, ctx) -> new Row(rs.getLong(1), rs.getString(2), rs.getString(3)))
                .list();
    }

    static void markPublished(Handle handle, List<Row> rows) {
        onUnpublished(handle, "UPDATE outbox SET published_at = now()", rows);
    }

    /** For a retention of zero: the published rows go at once, as {@link #trim} would take them a moment later. */
    static void deletePublished(Handle handle, List<Row> rows) {
        onUnpublished(handle, "DELETE FROM outbox", rows);
    }

    /** Runs {@code statement} on those of {@code rows} still unpublished. */
    private static void onUnpublished(Handle handle, String statement, List<Row> rows) {
        if (rows.isEmpty()) {
            return;
        }
        handle.createUpdate(statement + " WHERE seq = ANY(:seqs) AND published_at IS NULL")
                .bind("seqs", rows.stream().map(Row::seq).toArray(Long[]::new))
                .execute();
    }

    /** Deletes up to {@code limit} rows published longer than {@code retention} ago; returns how many. */
    static int trim(Handle handle, Duration retention, int limit) {
        return handle.createUpdate("""
                        DELETE FROM outbox WHERE seq IN (
                            SELECT seq FROM outbox
                            WHERE published_at IS NOT NULL AND published_at < now() - :retention * interval '1 ms'
                            LIMIT :limit)""")
                .bind("retention", retention.toMillis())
                .bind("limit", limit)
                .execute();
    }

    static Backlog backlog(Handle handle) {
        return handle.createQuery("""
                        SELECT (SELECT count(*) FROM outbox WHERE published_at IS NULL),
                               coalesce((SELECT extract(epoch FROM clock_timestamp() - created_at) FROM outbox
                                         WHERE published_at IS NULL ORDER BY seq LIMIT 1), 0)""")
                .map((rs, ctx) -> new Backlog(rs.getLong(1), Math.max(0, rs.getDouble(2))))
                .one();
    }

    /**
     * How many rows of these buckets wait to be published on this shard. A bucket move (README, "Downstream events")
     * waits for zero after it stopped writes to the bucket, and copies no outbox row: the source publishes what
     * changed before the move, the target what changes after it.
     */
    public static long unpublishedIn(Handle handle, Collection<Integer> buckets) {
        return handle.createQuery("""
                        SELECT count(*) FROM outbox WHERE published_at IS NULL AND bucket = ANY(:buckets::integer[])""")
                .bind("buckets", buckets.toArray(Integer[]::new))
                .mapTo(Long.class).one();
    }

    /**
     * How many unpublished rows the relay, which publishes in seq order, still has to publish before the last
     * unpublished row of {@code buckets}: what a bucket move waits for before the buckets' downstream events are out.
     */
    public static long unpublishedUpTo(Handle handle, Collection<Integer> buckets) {
        return handle.createQuery("""
                        SELECT count(*) FROM outbox WHERE published_at IS NULL AND seq <= (
                            SELECT max(seq) FROM outbox
                            WHERE published_at IS NULL AND bucket = ANY(:buckets::integer[]))""")
                .bind("buckets", buckets.toArray(Integer[]::new))
                .mapTo(Long.class).one();
    }
}
