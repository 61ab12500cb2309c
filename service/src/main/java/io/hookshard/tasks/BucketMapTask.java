package io.hookshard.tasks;

import io.dropwizard.servlets.tasks.Task;
import io.hookshard.db.BucketInterlock;
import io.hookshard.db.ShardDatabases;
import io.hookshard.routing.Routing;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/** {@code POST /tasks/bucket-map}: the bucket -> shard table in force, and what each shard has recorded. */
public final class BucketMapTask extends Task {
    private final ShardDatabases shards;
    private final Routing routing;

    public BucketMapTask(ShardDatabases shards, Routing routing) {
        super("bucket-map");
        this.shards = shards;
        this.routing = routing;
    }

    @Override
    public void execute(Map<String, List<String>> parameters, PrintWriter output) {
        output.printf("in force: version %d (%d buckets): %s%n", routing.version(), routing.bucketMap().bucketCount(),
                routing.bucketMap().describe());
        for (String shard : shards.shardIds()) {
            try {
                shards.jdbi(shard).useHandle(handle -> output.printf("%s: recorded as %s; buckets holding rows: %s%n",
                        shard, BucketInterlock.identity(handle).map(identity -> identity.shardId() + " owning "
                                + identity.buckets()).orElse("nothing yet"), BucketInterlock.bucketsWithRows(handle)));
            } catch (RuntimeException e) {
                output.printf("%s: unreachable: %s%n", shard, e.getMessage());
            }
            output.flush();
        }
    }
}
