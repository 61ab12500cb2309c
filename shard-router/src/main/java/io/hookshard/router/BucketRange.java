package io.hookshard.router;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * An inclusive range of buckets, written {@code "first-last"} (or a single {@code "n"}) in configuration.
 */
public record BucketRange(int first, int last) {
    public BucketRange {
        checkArgument(first >= 0 && last >= first, "bucket range must satisfy 0 <= first <= last, got %s-%s",
                first, last);
    }

    /** Parses {@code "0-511"} or {@code "7"}; surrounding blanks are ignored. */
    public static BucketRange parse(String text) {
        String trimmed = text.trim();
        int dash = trimmed.indexOf('-');
        try {
            if (dash < 0) {
                int single = Integer.parseInt(trimmed);
                return new BucketRange(single, single);
            }
            return new BucketRange(Integer.parseInt(trimmed.substring(0, dash).trim()),
                    Integer.parseInt(trimmed.substring(dash + 1).trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bucket range must look like \"0-511\" or \"7\", got \"" + text + "\"", e);
        }
    }

    /** The fewest ranges that cover exactly {@code buckets}, in ascending order. */
    public static List<BucketRange> compact(Collection<Integer> buckets) {
        List<BucketRange> ranges = new ArrayList<>();
        int first = -1;
        int last = -1;
        for (int bucket : new TreeSet<>(buckets)) {
            if (first >= 0 && bucket == last + 1) {
                last = bucket;
                continue;
            }
            if (first >= 0) {
                ranges.add(new BucketRange(first, last));
            }
            first = bucket;
            last = bucket;
        }
        if (first >= 0) {
            ranges.add(new BucketRange(first, last));
        }
        return ranges;
    }

    public int size() {
        return last - first + 1;
    }

    public boolean contains(int bucket) {
        return bucket >= first && bucket <= last;
    }

    @Override
    public String toString() {
        return first == last ? Integer.toString(first) : first + "-" + last;
    }
}
