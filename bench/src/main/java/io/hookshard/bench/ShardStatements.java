package io.hookshard.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a shard's time went: pg_stat_statements for one deployment's database, the statements that took the most
 * execution time. The JVM's profile shows the service's CPU; on two cores the shards take the rest, and this shows
 * which of the sink's statements it goes to.
 */
final class ShardStatements {
    /** One normalised statement, summed over every shard of the deployment. */
    record Statement(String query, long calls, double totalMs, double maxMs, long rows, long walBytes) {
        double meanMs() {
            return totalMs / Math.max(1, calls);
        }

        Statement plus(Statement other) {
            return new Statement(query, calls + other.calls, totalMs + other.totalMs, Math.max(maxMs, other.maxMs),
                    rows + other.rows, walBytes + other.walBytes);
        }
    }

    private ShardStatements() {
    }

    /** The {@code limit} statements of the deployment's databases that took the most time, summed over the shards. */
    static List<Statement> top(List<String> shardUrls, int limit) throws Exception {
        Map<String, Statement> byQuery = new TreeMap<>();
        for (String url : shardUrls) {
            for (Statement statement : read(url)) {
                byQuery.merge(statement.query(), statement, Statement::plus);
            }
        }
        List<Statement> top = new ArrayList<>(byQuery.values());
        top.sort((a, b) -> Double.compare(b.totalMs(), a.totalMs()));
        return List.copyOf(top.subList(0, Math.min(limit, top.size())));
    }

    /** Forgets what the deployment's databases ran so far: a run into shards another run wrote reports its own. */
    static void reset(List<String> shardUrls) throws Exception {
        for (String url : shardUrls) {
            try (Connection connection = DriverManager.getConnection(url, "postgres", "");
                 PreparedStatement reset = connection.prepareStatement("""
                         SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database
                                                             WHERE datname = current_database()), 0)""")) {
                reset.execute();
            }
        }
    }

    private static List<Statement> read(String url) throws Exception {
        List<Statement> statements = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection(url, "postgres", "");
             PreparedStatement query = connection.prepareStatement("""
                     SELECT regexp_replace(query, '\\s+', ' ', 'g'), calls, total_exec_time, max_exec_time, rows,
                            wal_bytes
                     FROM pg_stat_statements
                     WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                       AND query NOT LIKE '%pg_stat_statements%'""");
             ResultSet rs = query.executeQuery()) {
            while (rs.next()) {
                statements.add(new Statement(rs.getString(1), rs.getLong(2), rs.getDouble(3), rs.getDouble(4),
                        rs.getLong(5), rs.getBigDecimal(6).longValue()));
            }
        }
        return statements;
    }
}
