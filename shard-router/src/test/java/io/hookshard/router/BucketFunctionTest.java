package io.hookshard.router;

import org.junit.jupiter.api.Test;

import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BucketFunctionTest {
    private final BucketFunction buckets = new BucketFunction(BucketFunction.DEFAULT_BUCKETS);

    /**
     * Golden values: these buckets are where existing users' data lives. If this test fails, the change moves
     * stored users to other shards; revert it rather than updating the expectations.
     */
    @Test
    void pinsBucketsOfKnownKeys() {
        assertThat(buckets.bucketOf("")).isEqualTo(GOLDEN_EMPTY);
        assertThat(buckets.bucketOf("user-1")).isEqualTo(GOLDEN_USER_1);
        assertThat(buckets.bucketOf("user-2")).isEqualTo(GOLDEN_USER_2);
        assertThat(buckets.bucketOf("u_42")).isEqualTo(GOLDEN_U_42);
        assertThat(buckets.bucketOf("order-0001")).isEqualTo(GOLDEN_ORDER_0001);
        assertThat(buckets.bucketOf("Пользователь-7")).isEqualTo(GOLDEN_CYRILLIC);
    }

    @Test
    void pinsRawMurmur3OfTheKeyBytes() {
        // murmur3_32 (seed 0) of "hello" is a published reference value: 0x248bfa47.
        assertThat(new BucketFunction(1 << 30).bucketOf("hello")).isEqualTo(0x248bfa47 & ((1 << 30) - 1));
    }

    @Test
    void spreadsKeysEvenlyOverBuckets() {
        int keys = 1_024_000;
        int[] counts = new int[buckets.bucketCount()];
        IntStream.range(0, keys).forEach(i -> counts[buckets.bucketOf("user-" + i)]++);
        double expected = (double) keys / buckets.bucketCount();
        double chiSquare = IntStream.of(counts).mapToDouble(c -> (c - expected) * (c - expected) / expected).sum();
        // 1023 degrees of freedom: the 99.9th percentile of chi-square is about 1168.
        assertThat(chiSquare).isLessThan(1168);
        assertThat(IntStream.of(counts).min().orElseThrow()).isGreaterThan((int) (expected * 0.85));
        assertThat(IntStream.of(counts).max().orElseThrow()).isLessThan((int) (expected * 1.15));
    }

    @Test
    void staysWithinTheBucketSpace() {
        BucketFunction small = new BucketFunction(8);
        IntStream.range(0, 10_000).forEach(i -> assertThat(small.bucketOf("k" + i)).isBetween(0, 7));
    }

    @Test
    void rejectsBucketCountsThatAreNotPowersOfTwo() {
        assertThatThrownBy(() -> new BucketFunction(1000)).hasMessageContaining("power of two, got 1000");
        assertThatThrownBy(() -> new BucketFunction(0)).hasMessageContaining("got 0");
    }

    private static final int GOLDEN_EMPTY = 0;
    private static final int GOLDEN_USER_1 = 867;
    private static final int GOLDEN_USER_2 = 971;
    private static final int GOLDEN_U_42 = 13;
    private static final int GOLDEN_ORDER_0001 = 978;
    private static final int GOLDEN_CYRILLIC = 218;
}
