package io.hookshard.db;

import io.dropwizard.lifecycle.Managed;
import io.hookshard.router.BucketMap;
import io.hookshard.router.BucketRange;
import io.hookshard.routing.Routing;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Refuses to start on a bucket map that would send a user's events to a shard other than the one holding that
 * user's rows: that would split the user's data and defeat idempotency (the inbox is per shard). Each shard knows
 * which buckets hold its rows ({@code bucket_usage}) and which shard it was recorded as ({@code shard_identity}).
 * A new shard that owns no bucket yet passes, and so does moving buckets that hold no rows.
 */
public final class BucketInterlock implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(BucketInterlock.class);

    private final ShardDatabases shards;
    private final Routing routing;

    public BucketInterlock(ShardDatabases shards, Routing routing) {
        this.shards = shards;
        this.routing = routing;
    }

    /** A shard's record of itself, as the last start that passed the interlock wrote it. */
    public record Identity(String shardId, int bucketCount, String buckets) {
    }

    @Override
    public void start() {
        BucketMap map = routing.bucketMap();
        List<String> problems = new ArrayList<>();
        for (String shard : shards.shardIds()) {
            try {
                problems.addAll(shards.jdbi(shard).withHandle(handle -> check(handle, shard, map)));
            } catch (RuntimeException e) {
                throw new IllegalStateException("cannot check the bucket map against shard " + shard + " (is it up,"
                        + " and migrated with `shards migrate config.yml`?): " + e.getMessage(), e);
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("refusing to start, the bucket map of config.yml does not match the data"
                    + " in the shards: " + String.join("; ", problems) + ". Give those buckets back to the shard that"
                    + " holds their rows (run `java -jar hookshard.jar shards status config.yml` to see which buckets"
                    + " hold rows on each shard); moving buckets that hold rows between shards is not supported.");
        }
        for (String shard : shards.shardIds()) {
            shards.jdbi(shard).useHandle(handle -> record(handle, shard, map));
        }
        LOG.info("bucket interlock passed on {} shard(s)", shards.shardIds().size());
    }

    /** The problems that make {@code map} unsafe for {@code shard}; empty when it is safe. */
    public static List<String> check(Handle handle, String shard, BucketMap map) {
        List<String> problems = new ArrayList<>();
        identity(handle).ifPresent(identity -> {
            if (!identity.shardId().equals(shard)) {
                problems.add("the database configured as " + shard + " was recorded as " + identity.shardId());
            }
            if (identity.bucketCount() != map.bucketCount()) {
                problems.add(shard + " was written with " + identity.bucketCount() + " buckets, config.yml has "
                        + map.bucketCount());
            }
        });
        Map<String, List<Integer>> movedByNewOwner = new TreeMap<>();
        for (int bucket : BucketUsageDao.used(handle)) {
            String owner = bucket < map.bucketCount() ? map.shardOf(bucket) : "no shard";
            if (!owner.equals(shard)) {
                movedByNewOwner.computeIfAbsent(owner, key -> new ArrayList<>()).add(bucket);
            }
        }
        movedByNewOwner.forEach((owner, buckets) -> problems.add("buckets " + BucketRange.compact(buckets)
                + " hold rows on " + shard + " but config.yml gives them to " + owner));
        return problems;
    }

    public static Optional<Identity> identity(Handle handle) {
        return handle.createQuery("SELECT shard_id, bucket_count, buckets FROM shard_identity")
                .map((rs, ctx) -> new Identity(rs.getString(1), rs.getInt(2), rs.getString(3)))
                .findOne();
    }

    public static List<BucketRange> bucketsWithRows(Handle handle) {
        return BucketRange.compact(BucketUsageDao.used(handle));
    }

    public static void record(Handle handle, String shard, BucketMap map) {
        handle.createUpdate("""
                        INSERT INTO shard_identity (shard_id, bucket_count, buckets) VALUES (:shard, :count, :buckets)
                        ON CONFLICT (singleton) DO UPDATE SET shard_id = EXCLUDED.shard_id,
                            bucket_count = EXCLUDED.bucket_count, buckets = EXCLUDED.buckets, recorded_at = now()""")
                .bind("shard", shard)
                .bind("count", map.bucketCount())
                .bind("buckets", map.allocation().getOrDefault(shard, List.of()).toString())
                .execute();
    }
}
