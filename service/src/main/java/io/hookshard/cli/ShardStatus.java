package io.hookshard.cli;

import io.hookshard.db.BucketInterlock;
import io.hookshard.db.PartitionManager;
import io.hookshard.router.BucketMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.sql.SQLException;
import java.util.List;

/** What {@code shards status} prints for one shard. */
final class ShardStatus {
    private static final List<String> TABLES = List.of("orders", "order_events", "disputes", "dispute_events",
            "order_directory", "inbox");

    private ShardStatus() {
    }

    static void print(String shardId, DataSource dataSource, BucketMap configured, PrintWriter out)
            throws SQLException {
        Jdbi.create(dataSource).useHandle(handle -> {
            out.printf("shard %s: reachable (%s)%n", shardId, handle.getConnection().getMetaData().getURL());
            out.printf("  buckets in config.yml: %s%n", configured.allocation().get(shardId));
            if (!exists(handle, "databasechangelog")) {
                out.printf("  schema: not migrated (run: shards migrate config.yml --shard %s)%n", shardId);
                return;
            }
            out.printf("  schema: %d changesets applied, latest %s%n",
                    handle.createQuery("SELECT count(*) FROM databasechangelog").mapTo(Integer.class).one(),
                    handle.createQuery("SELECT id FROM databasechangelog ORDER BY orderexecuted DESC LIMIT 1")
                            .mapTo(String.class).one());
            if (exists(handle, "shard_identity")) {
                out.printf("  recorded as: %s%n", BucketInterlock.identity(handle)
                        .map(identity -> identity.shardId() + " owning " + identity.buckets() + " of "
                                + identity.bucketCount() + " buckets")
                        .orElse("nothing yet (no start has passed the interlock)"));
                out.printf("  buckets holding rows: %s%n", BucketInterlock.bucketsWithRows(handle));
            }
            out.printf("  partitions: %s%n", PartitionManager.partitions(handle));
            // Rows of buckets moved away stay until `shards cleanup`; nothing reads them, and without saying so the
            // counts of the shards would add up to more than was ever stored.
            List<Integer> movedAway = exists(handle, "bucket_ownership") ? handle.createQuery(
                    "SELECT bucket FROM bucket_ownership WHERE state = 'moved'").mapTo(Integer.class).list() : List.of();
            for (String table : TABLES) {
                if (movedAway.isEmpty()) {
                    out.printf("  %-16s %d rows%n", table,
                            handle.createQuery("SELECT count(*) FROM " + table).mapTo(Long.class).one());
                    continue;
                }
                List<Long> counts = handle.createQuery("SELECT count(*), count(*) FILTER (WHERE bucket = ANY(:moved))"
                        + " FROM " + table).bindArray("moved", Integer.class, movedAway)
                        .map((rows, context) -> List.of(rows.getLong(1), rows.getLong(2))).one();
                out.printf("  %-16s %d rows, %d of them in buckets moved away (until `shards cleanup`)%n", table,
                        counts.get(0), counts.get(1));
            }
            if (exists(handle, "outbox")) {
                out.printf("  %-16s %d rows, %d unpublished%n", "outbox",
                        handle.createQuery("SELECT count(*) FROM outbox").mapTo(Long.class).one(),
                        handle.createQuery("SELECT count(*) FROM outbox WHERE published_at IS NULL")
                                .mapTo(Long.class).one());
            }
        });
    }

    private static boolean exists(Handle handle, String table) {
        return handle.createQuery("SELECT to_regclass(:name) IS NOT NULL").bind("name", table)
                .mapTo(Boolean.class).one();
    }
}
