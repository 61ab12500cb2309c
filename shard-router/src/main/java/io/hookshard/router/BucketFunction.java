package io.hookshard.router;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;

import java.nio.charset.StandardCharsets;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/**
 * Maps a routing key to one of a fixed, power-of-two number of virtual buckets.
 *
 * <p>Contract: the result depends only on the UTF-8 bytes of the key and the bucket count, never on the JVM,
 * the process or the shard list. It is murmur3 (32-bit, Guava's {@code murmur3_32_fixed}, seed 0) of the key's
 * UTF-8 bytes, masked to the bucket count. Resharding changes which shard owns a bucket, never this function;
 * changing it would move every stored user, so golden-value tests pin it.
 */
public final class BucketFunction {
    /** The bucket space Hookshard ships with; fixed for the life of a deployment. */
    public static final int DEFAULT_BUCKETS = 1024;

    private static final HashFunction MURMUR3 = Hashing.murmur3_32_fixed();

    private final int bucketCount;

    public BucketFunction(int bucketCount) {
        checkArgument(bucketCount > 0 && Integer.bitCount(bucketCount) == 1,
                "bucket count must be a positive power of two, got %s", bucketCount);
        this.bucketCount = bucketCount;
    }

    public int bucketCount() {
        return bucketCount;
    }

    /** Returns the bucket of {@code key}, in {@code [0, bucketCount)}. */
    public int bucketOf(String key) {
        checkNotNull(key, "routing key");
        return MURMUR3.hashString(key, StandardCharsets.UTF_8).asInt() & (bucketCount - 1);
    }
}
