package io.hookshard.outbox;

import org.jdbi.v3.core.Handle;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

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

    /**
     * The oldest unpublished rows above {@code floor} ({@link ReadFloor}), in seq order: the order of the transactions
     * that wrote them, per aggregate.
     */
    static List<Row> unpublished(Handle handle, long floor, int limit) {
        return handle.createQuery("""
                        SELECT seq, aggregateid, payload::text FROM outbox
                        WHERE published_at IS NULL AND seq > :floor ORDER BY seq LIMIT :limit""")
                .bind("floor", floor)
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

    static Backlog backlog(Handle handle, long floor) {
        return handle.createQuery("""
                        SELECT (SELECT count(*) FROM outbox WHERE published_at IS NULL AND seq > :floor),
                               coalesce((SELECT extract(epoch FROM clock_timestamp() - created_at) FROM outbox
                                         WHERE published_at IS NULL AND seq > :floor ORDER BY seq LIMIT 1), 0)""")
                .bind("floor", floor)
                .map((rs, ctx) -> new Backlog(rs.getLong(1), Math.max(0, rs.getDouble(2))))
                .one();
    }

    /** The outbox sequence's last value and the database's time just after it was read. */
    record SeqObservation(long lastValue, Instant at) {
    }

    /**
     * Empty when the sequence has handed out no value yet, or when it caches values: a session's cached values could
     * be used after a later one was observed, so no observation would bound them.
     */
    static Optional<SeqObservation> observeSeq(Handle handle) {
        return handle.createQuery("""
                        SELECT last_value, clock_timestamp() FROM (
                            SELECT pg_sequence_last_value(seqrelid) AS last_value FROM pg_sequence
                            WHERE seqrelid = pg_get_serial_sequence('outbox', 'seq')::regclass AND seqcache = 1) s
                        WHERE last_value IS NOT NULL""")
                .map((rs, ctx) -> new SeqObservation(rs.getLong(1), rs.getObject(2, OffsetDateTime.class).toInstant()))
                .findOne();
    }

    /**
     * Whether every transaction of this database that began before {@code instant} has ended: no client session other
     * than this one is in a transaction begun earlier, and no prepared transaction waits. A session this role may not
     * see (another role's, without pg_read_all_stats), of which pg_stat_activity shows neither type, state nor
     * transaction, counts as begun earlier if its role may write the outbox.
     */
    static boolean noTransactionBegunBefore(Handle handle, Instant instant) {
        return handle.createQuery("""
                        SELECT NOT EXISTS (
                                   SELECT 1 FROM pg_stat_activity
                                   WHERE datname = current_database() AND pid <> pg_backend_pid()
                                     AND ((backend_type = 'client backend' AND xact_start < :instant)
                                          OR (backend_type IS NULL AND state IS NULL
                                              AND has_table_privilege(usesysid, 'outbox', 'INSERT'))))
                               AND NOT EXISTS (SELECT 1 FROM pg_prepared_xacts WHERE database = current_database())""")
                .bind("instant", OffsetDateTime.ofInstant(instant, ZoneOffset.UTC))
                .mapTo(Boolean.class).one();
    }

    /** The lowest unpublished seq above {@code floor}, if any. */
    static Optional<Long> lowestUnpublishedAbove(Handle handle, long floor) {
        return Optional.ofNullable(handle.createQuery("""
                        SELECT min(seq) FROM outbox WHERE published_at IS NULL AND seq > :floor""")
                .bind("floor", floor)
                .mapTo(Long.class).one());
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
