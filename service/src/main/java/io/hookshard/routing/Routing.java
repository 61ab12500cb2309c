package io.hookshard.routing;

import io.hookshard.router.BucketFunction;
import io.hookshard.router.BucketMap;
import io.hookshard.router.Route;
import io.hookshard.router.ShardRouter;

/**
 * Key -> bucket -> shard id with the bucket map in force in this process. The layers stay apart: the bucket of a key
 * never changes (the bucket function is fixed for the life of the data); which shard owns a bucket is the map's
 * business; which database a shard id means is {@link io.hookshard.db.ShardDatabases}'s.
 */
public final class Routing {
    private final BucketFunction buckets;
    private volatile ShardRouter router;

    public Routing(BucketFunction buckets, BucketMap map) {
        this.buckets = buckets;
        this.router = new ShardRouter(buckets, map);
    }

    public Route route(String key) {
        return router.route(key);
    }

    public String shardOf(String key) {
        return router.shardOf(key);
    }

    public int bucketOf(String key) {
        return buckets.bucketOf(key);
    }

    public BucketMap bucketMap() {
        return router.bucketMap();
    }
}
