package io.hookshard.chaos;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HexFormat;

/** Reads what a shard holds straight from its tables, streaming, into the {@link Checker}. */
final class ShardReader {
    /** One row at a time. */
    private interface RowHandler {
        void row(ResultSet rs) throws SQLException;
    }

    private final String shard;
    private final String jdbcUrl;

    ShardReader(String shard, String jdbcUrl) {
        this.shard = shard;
        this.jdbcUrl = jdbcUrl;
    }

    void readInto(Checker checker) throws SQLException {
        try (Connection connection = DriverManager.getConnection(jdbcUrl, "postgres", "")) {
            // A cursor (fetch size) needs a transaction; the whole read then sees one snapshot of the shard.
            connection.setAutoCommit(false);
            connection.setReadOnly(true);
            query(connection, "SELECT event_type, provider_event_id, digest FROM inbox", rs -> checker.inbox(shard,
                    new EventKey(EventKind.ofInboxType(rs.getString(1)), rs.getString(2)), hex(rs.getBytes(3))));
            query(connection, "SELECT provider_event_id, user_id, order_id, status, amount_minor, currency, occurred_at"
                    + " FROM order_events", rs -> checker.event(new Stored.Event(shard, EventKind.ORDER,
                    rs.getString(1), rs.getString(2), rs.getString(3), null, rs.getString(4), rs.getLong(5),
                    rs.getString(6), null, instant(rs, 7))));
            query(connection, "SELECT provider_event_id, user_id, order_id, dispute_id, status, amount_minor, currency,"
                    + " reason, occurred_at FROM dispute_events", rs -> checker.event(new Stored.Event(shard,
                    EventKind.CHARGEBACK, rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                    rs.getString(5), rs.getLong(6), rs.getString(7), rs.getString(8), instant(rs, 9))));
            query(connection, "SELECT order_id, user_id, status, amount_minor, currency, last_event_at,"
                    + " last_provider_event_id FROM orders", rs -> checker.state(new Stored.State(shard,
                    EventKind.ORDER, rs.getString(1), rs.getString(2), rs.getString(1), rs.getString(3), rs.getLong(4),
                    rs.getString(5), null, instant(rs, 6), rs.getString(7))));
            query(connection, "SELECT dispute_id, user_id, order_id, status, amount_minor, currency, reason,"
                    + " last_event_at, last_provider_event_id FROM disputes", rs -> checker.state(new Stored.State(
                    shard, EventKind.CHARGEBACK, rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                    rs.getLong(5), rs.getString(6), rs.getString(7), instant(rs, 8), rs.getString(9))));
            query(connection, "SELECT order_id, user_id FROM order_directory",
                    rs -> checker.directory(shard, rs.getString(1), rs.getString(2)));
            connection.rollback();
        }
    }

    /** Outbox rows the shard's relay has not published yet. */
    long unpublished() throws SQLException {
        try (Connection connection = DriverManager.getConnection(jdbcUrl, "postgres", "");
             PreparedStatement statement = connection.prepareStatement(
                     "SELECT count(*) FROM outbox WHERE published_at IS NULL");
             ResultSet rs = statement.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void query(Connection connection, String sql, RowHandler handler) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setFetchSize(10_000);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    handler.row(rs);
                }
            }
        }
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }

    private static String hex(byte[] bytes) {
        return bytes == null ? null : HexFormat.of().formatHex(bytes);
    }
}
