package io.hookshard.router;

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
