package io.hookshard.db;

import io.hookshard.api.DisputeView;
import io.hookshard.api.OrderEventView;
import io.hookshard.api.OrderView;
import io.hookshard.routing.Routing;
import org.jdbi.v3.core.Handle;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** The read API's queries, routed like the writes: directory by hash(order_id), then the owner's shard. */
public final class OrderQueries {
    private static final String ORDER_COLUMNS =
            "order_id, user_id, status, amount_minor, currency, last_event_at, updated_at";

    private final ShardDatabases shards;
    private final Routing routing;
    private final DirectoryStore directory;

    public OrderQueries(ShardDatabases shards, Routing routing, DirectoryStore directory) {
        this.shards = shards;
        this.routing = routing;
        this.directory = directory;
    }

    public Optional<OrderView> order(String orderId) {
        String userId = directory.ownerOf(routing.shardOf(orderId), orderId);
        if (userId == null) {
            return Optional.empty();
        }
        return shards.jdbi(routing.shardOf(userId)).withHandle(handle -> handle
                .createQuery("SELECT " + ORDER_COLUMNS + " FROM orders WHERE order_id = :orderId")
                .bind("orderId", orderId)
                .map((rs, ctx) -> order(rs))
                .findOne()
                .map(order -> order.withDetails(events(handle, orderId), disputes(handle, orderId))));
    }

    public List<OrderView> ordersOf(String userId) {
        return shards.jdbi(routing.shardOf(userId)).withHandle(handle -> handle
                .createQuery("SELECT " + ORDER_COLUMNS + " FROM orders WHERE user_id = :userId ORDER BY order_id"
                        + " LIMIT 1000")
                .bind("userId", userId)
                .map((rs, ctx) -> order(rs))
                .list());
    }

    private static List<OrderEventView> events(Handle handle, String orderId) {
        return handle.createQuery("""
                        SELECT event_id, provider_event_id, status, amount_minor, currency, occurred_at, received_at
                        FROM order_events WHERE order_id = :orderId ORDER BY occurred_at, provider_event_id""")
                .bind("orderId", orderId)
                .map((rs, ctx) -> new OrderEventView(rs.getObject("event_id", UUID.class),
                        rs.getString("provider_event_id"), rs.getString("status"), rs.getLong("amount_minor"),
                        rs.getString("currency"), instant(rs, "occurred_at"), instant(rs, "received_at")))
                .list();
    }

    private static List<DisputeView> disputes(Handle handle, String orderId) {
        return handle.createQuery("""
                        SELECT dispute_id, status, reason, amount_minor, currency, last_event_at
                        FROM disputes WHERE order_id = :orderId ORDER BY dispute_id""")
                .bind("orderId", orderId)
                .map((rs, ctx) -> new DisputeView(rs.getString("dispute_id"), rs.getString("status"),
                        rs.getString("reason"), rs.getLong("amount_minor"), rs.getString("currency"),
                        instant(rs, "last_event_at")))
                .list();
    }

    private static OrderView order(ResultSet rs) throws SQLException {
        return new OrderView(rs.getString("order_id"), rs.getString("user_id"), rs.getString("status"),
                rs.getLong("amount_minor"), rs.getString("currency"), instant(rs, "last_event_at"),
                instant(rs, "updated_at"), null, null);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        java.time.OffsetDateTime value = rs.getObject(column, java.time.OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
