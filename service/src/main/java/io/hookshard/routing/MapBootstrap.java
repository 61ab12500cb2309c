package io.hookshard.routing;

import io.dropwizard.lifecycle.Managed;
import io.hookshard.db.BucketFence;
import io.hookshard.db.BucketInterlock;
import io.hookshard.db.ShardDatabases;
import io.hookshard.router.BucketMap;
import io.hookshard.router.BucketRange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * At start: finds the bucket map in force in the catalog (on first start, config.yml seeds it, after the checks
 * that config.yml's map fits the data already in the shards), makes sure every shard vouches for the buckets the map
 * gives it, and routes by it. From then on config.yml's bucket ranges only seed: buckets change owner by moves.
 */
public final class MapBootstrap implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(MapBootstrap.class);

    private final ShardDatabases shards;
    private final Catalog catalog;
    private final Routing routing;
    private final BucketMap configured;

    public MapBootstrap(ShardDatabases shards, Catalog catalog, Routing routing, BucketMap configured) {
        this.shards = shards;
        this.catalog = catalog;
        this.routing = routing;
        this.configured = configured;
    }

    @Override
    public void start() {
        Catalog.Versioned inForce;
        try {
            inForce = catalog.latest().orElseGet(this::seed);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot read the bucket map from the catalog shard " + catalog.shardId()
                    + " (is it up, and migrated with `shards migrate config.yml`?): " + e.getMessage(), e);
        }
        BucketMap map = inForce.map();
        List<String> unknown = map.allocation().entrySet().stream()
                .filter(entry -> !entry.getValue().isEmpty() && !shards.shardIds().contains(entry.getKey()))
                .map(entry -> entry.getKey() + " (buckets " + entry.getValue() + ")").toList();
        if (!unknown.isEmpty()) {
            throw new IllegalStateException("refusing to start: the bucket map in force (version " + inForce.version()
                    + ") gives buckets to shards config.yml does not list: " + unknown + "; add them back to"
                    + " config.yml, or move their buckets away first");
        }
        if (!map.equals(configured)) {
            LOG.warn("config.yml's bucket ranges ({}) differ from the bucket map in force (version {}: {}); the map"
                    + " in force is used: buckets change shards with `shards move` (README, \"Adding a shard\")",
                    configured.describe(), inForce.version(), map.describe());
        }
        for (String shard : shards.shardIds()) {
            checkIdentity(shard, map);
            vouch(shard, map, inForce.version());
        }
        routing.install(inForce.version(), map);
        LOG.info("bucket map version {} in force: {}", inForce.version(), map.describe());
    }

    /** First start on these shards: config.yml's map, if it fits the rows the shards hold, becomes version 1. */
    private Catalog.Versioned seed() {
        List<String> problems = new ArrayList<>();
        for (String shard : shards.shardIds()) {
            problems.addAll(shards.jdbi(shard).withHandle(handle -> BucketInterlock.check(handle, shard,
                    configured)));
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("refusing to start, the bucket map of config.yml does not match the data"
                    + " in the shards: " + String.join("; ", problems) + ". Give those buckets back to the shard that"
                    + " holds their rows (run `java -jar hookshard.jar shards status config.yml` to see which buckets"
                    + " hold rows on each shard).");
        }
        catalog.seed(configured);
        return catalog.latest().orElseThrow();
    }

    /** Refuses a database configured as one shard that was recorded as another, and records the map in force. */
    private void checkIdentity(String shard, BucketMap map) {
        shards.jdbi(shard).useHandle(handle -> {
            BucketInterlock.identity(handle).ifPresent(identity -> {
                if (!identity.shardId().equals(shard) || identity.bucketCount() != map.bucketCount()) {
                    throw new IllegalStateException("refusing to start: the database configured as " + shard
                            + " was recorded as " + identity.shardId() + " with " + identity.bucketCount()
                            + " buckets");
                }
            });
            BucketInterlock.record(handle, shard, map);
        });
    }

    /**
     * A shard that has never vouched for any bucket (first start, or a shard just added) takes the buckets the map
     * gives it. A shard that has is left alone: only moves change what it owns, and a move in progress may have
     * frozen some of its buckets.
     */
    private void vouch(String shard, BucketMap map, long version) {
        List<BucketRange> ranges = map.allocation().getOrDefault(shard, List.of());
        shards.jdbi(shard).useTransaction(handle -> {
            boolean vouched = handle.createQuery("SELECT EXISTS (SELECT 1 FROM bucket_ownership)")
                    .mapTo(Boolean.class).one();
            if (!vouched && !ranges.isEmpty()) {
                List<Integer> buckets = new ArrayList<>();
                ranges.forEach(range -> {
                    for (int bucket = range.first(); bucket <= range.last(); bucket++) {
                        buckets.add(bucket);
                    }
                });
                BucketFence.own(handle, buckets, version);
                LOG.info("shard {} vouches for buckets {} (map version {})", shard, ranges, version);
            }
        });
    }
}
