package io.hookshard.router;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BucketMapTest {
    @Test
    void splitsBucketsEvenlyInListOrder() {
        BucketMap map = BucketMap.evenSplit(1024, List.of("shard-a", "shard-b", "shard-c"));

        assertThat(map.allocation()).containsExactly(
                Map.entry("shard-a", List.of(new BucketRange(0, 340))),
                Map.entry("shard-b", List.of(new BucketRange(341, 681))),
                Map.entry("shard-c", List.of(new BucketRange(682, 1023))));
        assertThat(map.shardOf(0)).isEqualTo("shard-a");
        assertThat(map.shardOf(681)).isEqualTo("shard-b");
        assertThat(map.shardOf(1023)).isEqualTo("shard-c");
    }

    @Test
    void acceptsAShardThatOwnsNoBuckets() {
        Map<String, List<BucketRange>> ranges = new LinkedHashMap<>();
        ranges.put("shard-a", List.of(BucketRange.parse("0-511")));
        ranges.put("shard-b", List.of(BucketRange.parse("512-1023")));
        ranges.put("shard-c", List.of());

        BucketMap map = BucketMap.of(1024, ranges);

        assertThat(map.shardIds()).containsExactly("shard-a", "shard-b", "shard-c");
        assertThat(map.allocation().get("shard-c")).isEmpty();
        assertThat(map.describe()).isEqualTo(
                "shard-a=[0-511] (512 buckets), shard-b=[512-1023] (512 buckets), shard-c=none (0 buckets)");
    }

    @Test
    void rejectsABucketOwnedTwice() {
        Map<String, List<BucketRange>> ranges = new LinkedHashMap<>();
        ranges.put("shard-a", List.of(BucketRange.parse("0-512")));
        ranges.put("shard-b", List.of(BucketRange.parse("512-1023")));

        assertThatThrownBy(() -> BucketMap.of(1024, ranges))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bucket 512 is claimed by both shard-a and shard-b");
    }

    @Test
    void rejectsBucketsOwnedByNoShard() {
        Map<String, List<BucketRange>> ranges = new LinkedHashMap<>();
        ranges.put("shard-a", List.of(BucketRange.parse("0-99"), BucketRange.parse("200-1023")));

        assertThatThrownBy(() -> BucketMap.of(1024, ranges))
                .hasMessageContaining("buckets [100-199] are owned by no shard");
    }

    @Test
    void rejectsBucketsOutsideTheSpace() {
        assertThatThrownBy(() -> BucketMap.of(16, Map.of("shard-a", List.of(BucketRange.parse("0-16")))))
                .hasMessageContaining("shard shard-a claims buckets 0-16 outside 0-15");
    }

    @Test
    void namesTheBucketsThatMoveBetweenTwoMaps() {
        BucketMap two = BucketMap.evenSplit(1024, List.of("shard-a", "shard-b"));
        BucketMap three = BucketMap.evenSplit(1024, List.of("shard-a", "shard-b", "shard-c"));

        assertThat(three.bucketsMovedFrom(two))
                .containsExactly(new BucketRange(341, 511), new BucketRange(682, 1023));
        assertThat(two.bucketsMovedFrom(two)).isEmpty();
    }

    @Test
    void compactsBucketSetsIntoRanges() {
        assertThat(BucketRange.compact(List.of(7, 3, 4, 5, 9, 10, 4))).containsExactly(
                new BucketRange(3, 5), new BucketRange(7, 7), new BucketRange(9, 10));
        assertThat(BucketRange.compact(List.of())).isEmpty();
    }

    @Test
    void parsesRangesAndRejectsGarbage() {
        assertThat(BucketRange.parse(" 3 - 9 ")).isEqualTo(new BucketRange(3, 9));
        assertThat(BucketRange.parse("7")).isEqualTo(new BucketRange(7, 7));
        assertThatThrownBy(() -> BucketRange.parse("a-b")).hasMessageContaining("\"a-b\"");
        assertThatThrownBy(() -> BucketRange.parse("9-3")).hasMessageContaining("9-3");
    }

    @Test
    void movingBucketsToANewShardChangesOnlyTheirOwner() {
        BucketMap map = BucketMap.evenSplit(1024, List.of("shard-a", "shard-b"));

        BucketMap moved = map.withMoved(List.of(0, 1, 2, 3, 100), "shard-c");

        assertThat(moved.shardOf(0)).isEqualTo("shard-c");
        assertThat(moved.shardOf(100)).isEqualTo("shard-c");
        assertThat(moved.shardOf(4)).isEqualTo("shard-a");
        assertThat(moved.shardOf(600)).isEqualTo("shard-b");
        assertThat(moved.bucketsMovedFrom(map)).containsExactly(new BucketRange(0, 3), new BucketRange(100, 100));
        assertThat(moved.shardIds()).containsExactly("shard-a", "shard-b", "shard-c");
    }

    @Test
    void encodesAndDecodesEveryShardIncludingOneWithoutBuckets() {
        BucketMap map = BucketMap.evenSplit(1024, List.of("shard-a", "shard-b")).withMoved(List.of(5), "shard-c")
                .withMoved(List.of(5), "shard-a");

        assertThat(map.encode()).isEqualTo("shard-a=0-511;shard-b=512-1023;shard-c");
        assertThat(BucketMap.decode(1024, map.encode())).isEqualTo(map);
        assertThat(BucketMap.decode(1024, map.encode()).shardIds()).containsExactly("shard-a", "shard-b", "shard-c");
    }
}
