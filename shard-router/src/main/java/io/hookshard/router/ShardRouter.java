package io.hookshard.router;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Key -> bucket -> shard id, the one routing decision of Hookshard.
 *
 * <p>Contract: a pure function of the key, the bucket function and the bucket map. Every process configured
 * with the same map routes a key to the same shard.
 */
public final class ShardRouter {
    private final BucketFunction buckets;
    private final BucketMap map;

    public ShardRouter(BucketFunction buckets, BucketMap map) {
        checkArgument(buckets.bucketCount() == map.bucketCount(),
                "bucket function has %s buckets but the bucket map has %s", buckets.bucketCount(), map.bucketCount());
        this.buckets = buckets;
        this.map = map;
    }

    public Route route(String key) {
        int bucket = buckets.bucketOf(key);
        return new Route(key, bucket, map.shardOf(bucket));
    }

    public String shardOf(String key) {
        return map.shardOf(buckets.bucketOf(key));
    }

    public BucketMap bucketMap() {
        return map;
    }
}
