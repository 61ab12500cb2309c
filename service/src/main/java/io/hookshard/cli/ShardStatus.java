package io.hookshard.cli;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** What {@code shards status} prints for one shard. */
final class ShardStatus {
    private static final List<String> TABLES = List.of("orders", "order_events", "disputes", "dispute_events",
            "order_directory", "inbox");

    private ShardStatus() {
    }

    static void print(String shardId, DataSource dataSource, PrintWriter out) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            out.printf("shard %s: reachable (%s)%n", shardId, connection.getMetaData().getURL());
            if (!exists(statement, "databasechangelog")) {
                out.printf("  schema: not migrated (run: shards migrate config.yml --shard %s)%n", shardId);
                return;
            }
            try (ResultSet rs = statement.executeQuery(
                    "SELECT count(*), max(id) FILTER (WHERE orderexecuted = (SELECT max(orderexecuted)"
                            + " FROM databasechangelog)) FROM databasechangelog")) {
                rs.next();
                out.printf("  schema: %d changesets applied, latest %s%n", rs.getInt(1), rs.getString(2));
            }
            out.printf("  partitions: %s%n", partitions(statement));
            for (String table : TABLES) {
                try (ResultSet rs = statement.executeQuery("SELECT count(*) FROM " + table)) {
                    rs.next();
                    out.printf("  %-16s %d rows%n", table, rs.getLong(1));
                }
            }
        }
    }

    private static boolean exists(Statement statement, String table) throws SQLException {
        try (ResultSet rs = statement.executeQuery("SELECT to_regclass('" + table + "') IS NOT NULL")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static List<String> partitions(Statement statement) throws SQLException {
        List<String> names = new ArrayList<>();
        try (ResultSet rs = statement.executeQuery("""
                SELECT child.relname FROM pg_inherits
                JOIN pg_class parent ON parent.oid = pg_inherits.inhparent
                JOIN pg_class child ON child.oid = pg_inherits.inhrelid
                WHERE parent.relname IN ('order_events', 'dispute_events') ORDER BY child.relname""")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }
}
