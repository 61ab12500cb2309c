package io.hookshard.tasks;

import io.dropwizard.servlets.tasks.Task;
import io.hookshard.db.BucketInterlock;
import io.hookshard.db.BucketFence;
import io.hookshard.db.ShardDatabases;
import io.hookshard.router.BucketRange;
import io.hookshard.routing.Catalog;
import io.hookshard.routing.Routing;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/** {@code POST /tasks/bucket-map}: the bucket -> shard table in force, and what each shard has recorded. */
public final class BucketMapTask extends Task {
    private final ShardDatabases shards;
    private final Routing routing;
    private final Catalog catalog;

    public BucketMapTask(ShardDatabases shards, Routing routing, Catalog catalog) {
        super("bucket-map");
        this.shards = shards;
        this.routing = routing;
        this.catalog = catalog;
    }

    @Override
    public void execute(Map<String, List<String>> parameters, PrintWriter output) {
        TaskParameters.only(parameters);
        output.printf("in force: version %d (%d buckets): %s%n", routing.version(), routing.bucketMap().bucketCount(),
                routing.bucketMap().describe());
        try {
            catalog.jdbi().useHandle(handle -> handle.createQuery("""
                            SELECT move_id, buckets, from_shard, to_shard, state, rows_copied, started_at, frozen_at,
                                   switched_at, map_version
                            FROM bucket_moves ORDER BY move_id DESC LIMIT 5""")
                    .map((rs, ctx) -> String.format("move %d: buckets %s %s -> %s, %s, %d row(s) copied, started %s%s%s",
                            rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            rs.getLong(6), rs.getTimestamp(7).toInstant(),
                            rs.getTimestamp(8) == null ? "" : ", frozen " + rs.getTimestamp(8).toInstant(),
                            rs.getTimestamp(9) == null ? "" : ", switched " + rs.getTimestamp(9).toInstant()
                                    + " (map version " + rs.getLong(10) + ")"))
                    .forEach(output::println));
        } catch (RuntimeException e) {
            output.printf("moves: catalog shard %s unreachable: %s%n", catalog.shardId(), e.getMessage());
        }
        for (String shard : shards.shardIds()) {
            try {
                shards.jdbi(shard).useHandle(handle -> output.printf("%s: recorded as %s; buckets holding rows: %s;"
                                + " vouches for %s; frozen %s; moved away %s%n", shard,
                        BucketInterlock.identity(handle).map(identity -> identity.shardId() + " owning "
                                + identity.buckets()).orElse("nothing yet"), BucketInterlock.bucketsWithRows(handle),
                        BucketRange.compact(BucketFence.inState(handle, "owned")),
                        BucketRange.compact(BucketFence.inState(handle, "frozen")),
                        BucketRange.compact(BucketFence.inState(handle, "moved"))));
            } catch (RuntimeException e) {
                output.printf("%s: unreachable: %s%n", shard, e.getMessage());
            }
            output.flush();
        }
    }
}
