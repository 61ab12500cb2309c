package io.hookshard.db;

import io.hookshard.support.TestInfrastructure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What PostgreSQL itself refuses or alters, on the real server: the facts behind what the decoder refuses
 * (core/EventDecoder, core/StorableText) and behind cutting occurred_at to the microsecond.
 */
class PostgresLimitsIT {
    private static Connection connection;

    @BeforeAll
    static void connect() throws SQLException {
        connection = DriverManager.getConnection(
                TestInfrastructure.freshDatabase(TestInfrastructure.shared().shards().get(0)), "postgres", "");
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET TIME ZONE 'UTC'");
        }
    }

    @AfterAll
    static void close() throws SQLException {
        connection.close();
    }

    @Test
    void textRefusesNulWhileJsonKeepsItsEscape() {
        assertThat(evaluate("SELECT ?::text", "evt\u0000")).startsWith("SQLSTATE 22021");
        assertThat(evaluate("SELECT ?::json::text", "{\"note\":\"\\u0000\"}")).isEqualTo("{\"note\":\"\\u0000\"}");
    }

    @Test
    void anUnpairedSurrogateIsStoredAsTextAlteredAndAsAJsonEscapeBreaksWhatReadsIt() {
        // The driver encodes the lone half as '?': the row would silently differ from what was sent.
        assertThat(evaluate("SELECT ?::text", "fraud\uD800")).isEqualTo("fraud?");
        // json input only checks the syntax and lets the escape in; everything that reads the value refuses it.
        String lone = "{\"note\":\"\\ud800\"}";
        assertThat(evaluate("SELECT ?::json::text", lone)).isEqualTo(lone);
        assertThat(evaluate("SELECT ?::json ->> 'note'", lone)).startsWith("SQLSTATE 22P02");
        assertThat(evaluate("SELECT ?::json::jsonb::text", lone)).startsWith("SQLSTATE 22P02");
        assertThat(evaluate("SELECT ?::json ->> 'note'", "{\"note\":\"\\ud800\\u0041\"}")).startsWith("SQLSTATE 22P02");
        assertThat(evaluate("SELECT ?::json ->> 'note'", "{\"note\":\"\\ud83d\\ude00\"}")).isEqualTo("\uD83D\uDE00");
    }

    @Test
    void timestamptzTakesYears0001To9999AsWeFormatThem() {
        assertThat(evaluate("SELECT ?::timestamptz::text", "0000-01-01T00:00:00Z")).startsWith("SQLSTATE 22008");
        assertThat(evaluate("SELECT ?::timestamptz::text", "+10000-01-01T00:00:00Z")).startsWith("SQLSTATE 22");
        assertThat(evaluate("SELECT ?::timestamptz::text", "0001-01-01T00:00:00Z"))
                .isEqualTo("0001-01-01 00:00:00+00");
        assertThat(evaluate("SELECT ?::timestamptz::text", "9999-12-31T23:59:59.999999Z"))
                .isEqualTo("9999-12-31 23:59:59.999999+00");
    }

    @Test
    void timestamptzRoundsBelowAMicrosecondAndMovesALeapSecondToTheNextMinute() {
        // Rounded, not cut: two instants Java tells apart are one here, and the last nanoseconds of 9999 become 10000.
        assertThat(evaluate("SELECT (?::timestamptz = ?::timestamptz)::text", "2026-11-20T10:00:00.0000001Z",
                "2026-11-20T10:00:00.0000004Z")).isEqualTo("true");
        assertThat(evaluate("SELECT ?::timestamptz::text", "9999-12-31T23:59:59.9999999Z"))
                .isEqualTo("10000-01-01 00:00:00+00");
        // java.time refuses :60 outright; PostgreSQL makes it the next minute. No mapping both sides share.
        assertThat(evaluate("SELECT ?::timestamptz::text", "2016-12-31T23:59:60Z")).isEqualTo("2017-01-01 00:00:00+00");
    }

    /** The single value {@code sql} yields for {@code parameters}, or "SQLSTATE xxxxx: message" when refused. */
    private static String evaluate(String sql, String... parameters) {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setString(i + 1, parameters[i]);
            }
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        } catch (SQLException e) {
            return "SQLSTATE " + e.getSQLState() + ": " + e.getMessage();
        }
    }
}
