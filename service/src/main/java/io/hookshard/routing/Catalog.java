package io.hookshard.routing;

import io.hookshard.router.BucketMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import java.util.Optional;

/**
 * The durable home of the bucket map in force: every version of it, on the catalog shard (the first of
 * config.yml). config.yml seeds version 1; each bucket move publishes the next. Every instance follows the newest.
 */
public final class Catalog {
    /** Serializes publishers (moves) on the catalog shard. */
    private static final long PUBLISH_LOCK = 0x686f6f6b6d617073L;

    private final Jdbi jdbi;
    private final String shardId;

    public Catalog(Jdbi jdbi, String shardId) {
        this.jdbi = jdbi;
        this.shardId = shardId;
    }

    /** A version of the bucket map. */
    public record Versioned(long version, BucketMap map) {
    }

    public String shardId() {
        return shardId;
    }

    public Optional<Versioned> latest() {
        return jdbi.withHandle(Catalog::latest);
    }

    static Optional<Versioned> latest(Handle handle) {
        return handle.createQuery("""
                        SELECT version, bucket_count, assignment FROM bucket_map_versions
                        ORDER BY version DESC LIMIT 1""")
                .map((rs, ctx) -> new Versioned(rs.getLong(1), BucketMap.decode(rs.getInt(2), rs.getString(3))))
                .findOne();
    }

    public long latestVersion() {
        return jdbi.withHandle(handle -> handle.createQuery(
                "SELECT coalesce(max(version), 0) FROM bucket_map_versions").mapTo(Long.class).one());
    }

    /** Makes {@code map} version 1 unless a version exists already (another instance may seed at the same time). */
    public void seed(BucketMap map) {
        jdbi.useHandle(handle -> handle.createUpdate("""
                        INSERT INTO bucket_map_versions (version, bucket_count, assignment, reason)
                        VALUES (1, :count, :assignment, 'seeded from config.yml') ON CONFLICT DO NOTHING""")
                .bind("count", map.bucketCount())
                .bind("assignment", map.encode())
                .execute());
    }

    /** Publishes {@code map} as the next version, inside {@code handle}'s transaction; returns its version. */
    public static long publish(Handle handle, BucketMap map, String reason) {
        handle.createQuery("SELECT pg_advisory_xact_lock(:key)").bind("key", PUBLISH_LOCK).mapTo(String.class).one();
        long version = handle.createQuery("SELECT coalesce(max(version), 0) + 1 FROM bucket_map_versions")
                .mapTo(Long.class).one();
        handle.createUpdate("""
                        INSERT INTO bucket_map_versions (version, bucket_count, assignment, reason)
                        VALUES (:version, :count, :assignment, :reason)""")
                .bind("version", version)
                .bind("count", map.bucketCount())
                .bind("assignment", map.encode())
                .bind("reason", reason)
                .execute();
        return version;
    }

    public Jdbi jdbi() {
        return jdbi;
    }
}
