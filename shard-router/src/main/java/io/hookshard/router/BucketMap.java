package io.hookshard.router;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * The immutable bucket -> shard id table.
 *
 * <p>Contract: every bucket in {@code [0, bucketCount)} is owned by exactly one shard; a shard may own no
 * bucket at all (a shard that was just added). Construction fails with a message naming the offending
 * buckets otherwise, so a bad table never reaches a write.
 */
public final class BucketMap {
    private final String[] owners;
    private final ImmutableMap<String, ImmutableList<BucketRange>> allocation;

    private BucketMap(String[] owners, ImmutableMap<String, ImmutableList<BucketRange>> allocation) {
        this.owners = owners;
        this.allocation = allocation;
    }

    /**
     * Builds the table from explicit ranges per shard, in the order the shards are listed.
     *
     * @throws IllegalArgumentException if a bucket is owned twice, not owned, or out of range
     */
    public static BucketMap of(int bucketCount, Map<String, List<BucketRange>> rangesByShard) {
        checkArgument(!rangesByShard.isEmpty(), "at least one shard is required");
        String[] owners = new String[bucketCount];
        Set<String> problems = new TreeSet<>();
        ImmutableMap.Builder<String, ImmutableList<BucketRange>> allocation = ImmutableMap.builder();
        for (Map.Entry<String, List<BucketRange>> entry : rangesByShard.entrySet()) {
            String shard = entry.getKey();
            for (BucketRange range : entry.getValue()) {
                if (range.last() >= bucketCount) {
                    problems.add("shard " + shard + " claims buckets " + range + " outside 0-" + (bucketCount - 1));
                    continue;
                }
                for (int bucket = range.first(); bucket <= range.last(); bucket++) {
                    if (owners[bucket] != null) {
                        problems.add("bucket " + bucket + " is claimed by both " + owners[bucket] + " and " + shard);
                    }
                    owners[bucket] = shard;
                }
            }
            allocation.put(shard, ImmutableList.copyOf(entry.getValue()));
        }
        List<BucketRange> unowned = rangesOf(owners, null);
        if (!unowned.isEmpty()) {
            problems.add("buckets " + unowned + " are owned by no shard");
        }
        checkArgument(problems.isEmpty(), "invalid bucket map: %s", problems);
        return new BucketMap(owners, allocation.buildOrThrow());
    }

    /** Splits {@code [0, bucketCount)} into contiguous, near-equal ranges, one per shard, in list order. */
    public static BucketMap evenSplit(int bucketCount, List<String> shardIds) {
        checkArgument(!shardIds.isEmpty(), "at least one shard is required");
        checkArgument(shardIds.size() <= bucketCount, "%s shards cannot share %s buckets", shardIds.size(),
                bucketCount);
        Map<String, List<BucketRange>> ranges = new LinkedHashMap<>();
        int shards = shardIds.size();
        for (int i = 0; i < shards; i++) {
            int first = (int) ((long) i * bucketCount / shards);
            int last = (int) ((long) (i + 1) * bucketCount / shards) - 1;
            checkArgument(ranges.put(shardIds.get(i), List.of(new BucketRange(first, last))) == null,
                    "shard id %s is listed twice", shardIds.get(i));
        }
        return of(bucketCount, ranges);
    }

    public int bucketCount() {
        return owners.length;
    }

    /** Returns the shard that owns {@code bucket}. */
    public String shardOf(int bucket) {
        checkArgument(bucket >= 0 && bucket < owners.length, "bucket %s outside 0-%s", bucket, owners.length - 1);
        return owners[bucket];
    }

    /** Every shard id, in configuration order, including shards that own no bucket. */
    public List<String> shardIds() {
        return allocation.keySet().asList();
    }

    /** The buckets each shard owns, as compact ranges, in configuration order. */
    public Map<String, List<BucketRange>> allocation() {
        Map<String, List<BucketRange>> result = new LinkedHashMap<>();
        for (String shard : allocation.keySet()) {
            result.put(shard, rangesOf(owners, shard));
        }
        return result;
    }

    /** The buckets whose owner differs between this map and {@code other} (same bucket count). */
    public List<BucketRange> bucketsMovedFrom(BucketMap other) {
        checkArgument(other.bucketCount() == bucketCount(), "bucket counts differ: %s vs %s", other.bucketCount(),
                bucketCount());
        String[] moved = new String[owners.length];
        for (int bucket = 0; bucket < owners.length; bucket++) {
            moved[bucket] = owners[bucket].equals(other.owners[bucket]) ? null : "moved";
        }
        return rangesOf(moved, "moved");
    }

    /**
     * This map with {@code buckets} given to {@code toShard}, which joins the map (listed last) if it was not in it.
     * A shard left without buckets stays listed.
     */
    public BucketMap withMoved(Collection<Integer> buckets, String toShard) {
        String[] moved = owners.clone();
        for (int bucket : buckets) {
            checkArgument(bucket >= 0 && bucket < moved.length, "bucket %s outside 0-%s", bucket, moved.length - 1);
            moved[bucket] = toShard;
        }
        Map<String, List<BucketRange>> ranges = new LinkedHashMap<>();
        for (String shard : allocation.keySet()) {
            ranges.put(shard, rangesOf(moved, shard));
        }
        ranges.putIfAbsent(toShard, rangesOf(moved, toShard));
        return of(moved.length, ranges);
    }

    /** A text form that {@link #decode} reads back: {@code shard-a=0-511;shard-b=512-1023} (a bare id owns none). */
    public String encode() {
        List<String> parts = new ArrayList<>();
        allocation().forEach((shard, ranges) -> parts.add(ranges.isEmpty() ? shard : shard + "="
                + String.join(",", ranges.stream().map(BucketRange::toString).toList())));
        return String.join(";", parts);
    }

    public static BucketMap decode(int bucketCount, String encoded) {
        Map<String, List<BucketRange>> ranges = new LinkedHashMap<>();
        for (String part : encoded.split(";")) {
            int equals = part.indexOf('=');
            String shard = equals < 0 ? part : part.substring(0, equals);
            List<BucketRange> shardRanges = new ArrayList<>();
            if (equals >= 0) {
                for (String range : part.substring(equals + 1).split(",")) {
                    shardRanges.add(BucketRange.parse(range));
                }
            }
            checkArgument(ranges.put(shard, shardRanges) == null, "shard %s is listed twice in %s", shard, encoded);
        }
        return of(bucketCount, ranges);
    }

    /** One line per shard, for the startup log: {@code shard-a=0-511 (512 buckets)}. */
    public String describe() {
        List<String> lines = new ArrayList<>();
        allocation().forEach((shard, ranges) -> lines.add(shard + "=" + (ranges.isEmpty() ? "none" : ranges)
                + " (" + ranges.stream().mapToInt(BucketRange::size).sum() + " buckets)"));
        return String.join(", ", lines);
    }

    private static List<BucketRange> rangesOf(String[] owners, String owner) {
        List<BucketRange> ranges = new ArrayList<>();
        int start = -1;
        for (int bucket = 0; bucket <= owners.length; bucket++) {
            boolean match = bucket < owners.length && java.util.Objects.equals(owners[bucket], owner);
            if (match && start < 0) {
                start = bucket;
            } else if (!match && start >= 0) {
                ranges.add(new BucketRange(start, bucket - 1));
                start = -1;
            }
        }
        return ranges;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BucketMap other && Arrays.equals(owners, other.owners);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(owners);
    }

    @Override
    public String toString() {
        return "BucketMap{" + describe() + "}";
    }
}
