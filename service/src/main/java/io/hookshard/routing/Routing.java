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
    private volatile long version;

    /** Routes with {@code map} until a version of the map in force is installed. */
    public Routing(BucketFunction buckets, BucketMap map) {
        this.buckets = buckets;
        this.router = new ShardRouter(buckets, map);
    }

    /** Routes with {@code map} from now on, if it is newer than the one in use; returns whether it was. */
    public synchronized boolean install(long mapVersion, BucketMap map) {
        if (mapVersion <= version) {
            return false;
        }
        router = new ShardRouter(buckets, map);
        version = mapVersion;
        return true;
    }

    /** The version of the map in use; 0 before one was installed from the catalog. */
    public long version() {
        return version;
    }

    public int bucketCount() {
        return buckets.bucketCount();
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
