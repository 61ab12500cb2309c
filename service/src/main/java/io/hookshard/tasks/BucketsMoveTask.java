package io.hookshard.tasks;

import io.dropwizard.servlets.tasks.Task;
import io.hookshard.move.BucketMover;
import io.hookshard.router.BucketRange;

import java.io.PrintWriter;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /tasks/buckets-move?buckets=<ranges>&to=<shard id>}: moves buckets to a shard while webhooks keep
 * flowing, printing each step; ends with a summary. Run again, it finishes a move that was interrupted.
 */
public final class BucketsMoveTask extends Task {
    /** More buckets than any map holds: a map's count is a power of two, 1,024 by default. */
    static final int MAX_BUCKETS = 1 << 20;

    private final BucketMover mover;

    public BucketsMoveTask(BucketMover mover) {
        super("buckets-move");
        this.mover = mover;
    }

    @Override
    public void execute(Map<String, List<String>> parameters, PrintWriter output) {
        TaskParameters.only(parameters, "buckets", "to");
        String ranges = TaskParameters.string(parameters, "buckets");
        String to = TaskParameters.string(parameters, "to");
        if (ranges == null || to == null) {
            throw new IllegalArgumentException("buckets (e.g. 0-255,300) and to (a shard id) are required");
        }
        List<BucketMover.Result> results = mover.move(parse(ranges), to, line -> {
            output.println(line);
            output.flush();
        });
        output.printf("done: %d move(s); %s%n", results.size(), results);
        output.flush();
    }

    /**
     * {@code 0-255,300} as the buckets it names. A bucket past any map's is refused before the list is built: the
     * range {@code 1023-2147483647} would otherwise fill the heap (and never end, its last bucket being int's last).
     */
    public static List<Integer> parse(String ranges) {
        // A set of bits: ranges given many times over name each bucket once, so the list stays within MAX_BUCKETS.
        BitSet buckets = new BitSet();
        for (String range : ranges.split(",", -1)) {
            BucketRange parsed = BucketRange.parse(range);
            if (parsed.last() >= MAX_BUCKETS) {
                throw new IllegalArgumentException("bucket " + parsed.last() + " is past any bucket map's (at most "
                        + MAX_BUCKETS + " buckets; `shards status` shows this one's)");
            }
            buckets.set(parsed.first(), parsed.last() + 1);
        }
        return buckets.stream().boxed().toList();
    }
}
