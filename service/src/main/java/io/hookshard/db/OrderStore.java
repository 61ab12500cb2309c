package io.hookshard.db;

import io.hookshard.core.EventType;
import io.hookshard.core.OrderEvent;
import io.hookshard.outbox.CloudEvents;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.SqlStatement;

import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Writes order events into one shard: inbox, event rows, order state and the downstream events of its changes in one
 * transaction, each a multi-row statement. Idempotent: a batch written twice changes nothing the second time.
 */
public final class OrderStore {
    /**
     * Newest first by occurred_at, then by lifecycle rank, then by provider event id: a total, stable order, the same
     * as the upsert's WHERE applies in SQL (occurred_at is already cut to microseconds by the decoder; ids compare as
     * COLLATE "C" does), so which event wins never depends on how events fell into batches.
     */
    static final Comparator<OrderEvent> EVENT_TIME = Comparator.comparing(OrderEvent::occurredAt)
            .thenComparingInt(event -> event.status().rank())
            .thenComparing(OrderEvent::providerEventId, CollationC.ORDER);

    /** The order rows of a batch, one per order, bound by {@link #bindState}; the ON CONFLICT clause follows. */
    private static final String INSERT_STATE = """
            INSERT INTO orders (order_id, user_id, status, status_rank, amount_minor, currency,
                                last_event_at, last_provider_event_id, bucket)
            SELECT * FROM unnest(:orderIds::text[], :userIds::text[], :statuses::text[],
                                 :ranks::smallint[], :amounts::bigint[], :currencies::text[],
                                 :occurredAts::timestamptz[], :providerEventIds::text[], :buckets::integer[])
            """;

    private final ShardDatabases shards;

    public OrderStore(ShardDatabases shards) {
        this.shards = shards;
    }

    /** Writes {@code routed} events, all routed to {@code shardId}; returns each one's verdict, in input order. */
    public List<WriteVerdict> write(String shardId, List<Routed<OrderEvent>> routed) {
        return shards.jdbi(shardId).inTransaction(handle -> WriteVerdict.fenced(
                BucketFence.admit(handle, routed.stream().map(Routed::bucket).toList()), routed,
                owned -> write(shardId, handle, owned)));
    }

    private List<WriteVerdict> write(String shardId, Handle handle, List<Routed<OrderEvent>> routed) {
        List<InboxDao.Item<OrderEvent>> items = InboxDao.items(routed, OrderEvent::providerEventId,
                OrderEvent::eventId, OrderEvent::content);
        List<WriteVerdict> verdicts = InboxDao.admit(handle, EventType.ORDER_PAYMENT, items);
        List<OrderEvent> fresh = new java.util.ArrayList<>();
        Map<String, Integer> bucketOfUser = new HashMap<>();
        for (int i = 0; i < routed.size(); i++) {
            if (verdicts.get(i) == WriteVerdict.NEW) {
                fresh.add(routed.get(i).item());
                bucketOfUser.put(routed.get(i).item().userId(), routed.get(i).bucket());
            }
        }
        List<OrderEvent> applied = List.copyOf(fresh);
        fresh.sort(Comparator.comparing(OrderEvent::orderId).thenComparing(OrderEvent::providerEventId));
        if (!fresh.isEmpty()) {
            insertEvents(handle, fresh, bucketOfUser);
            Map<String, StateChanges.Position> before = upsertState(handle, newestPerOrder(fresh), bucketOfUser);
            OutboxDao.append(handle, StateChanges.of(applied, OrderEvent::orderId, OrderStore::position, before)
                    .stream().map(change -> CloudEvents.orderChanged(shardId,
                            bucketOfUser.get(change.event().userId()), change.event(), change.previousStatus()))
                    .toList());
            BucketUsageDao.mark(handle, bucketOfUser.values());
        }
        return verdicts;
    }

    private static StateChanges.Position position(OrderEvent event) {
        return new StateChanges.Position(event.occurredAt(), event.status().rank(), event.providerEventId(),
                event.status().wireName());
    }

    private static void insertEvents(Handle handle, List<OrderEvent> events, Map<String, Integer> bucketOfUser) {
        CopyRows rows = new CopyRows(events.size());
        for (OrderEvent event : events) {
            rows.number(bucketOfUser.get(event.userId())).text(event.orderId()).text(event.providerEventId()).instant(event.occurredAt()).text(event.userId())
                    .text(event.status().wireName()).number(event.amountMinor()).text(event.currency())
                    .text(event.eventId().toString()).instant(event.receivedAt()).text(event.payloadJson())
                    .endRow();
        }
        rows.copyInto(handle, "order_events", "bucket, order_id, provider_event_id, occurred_at, user_id, status,"
                + " amount_minor, currency, event_id, received_at, payload");
    }

    /**
     * Moves each order to its newest event, never backwards: a row is replaced only by a strictly newer event
     * (occurred_at, then rank, then provider event id), so late deliveries are recorded but roll nothing back.
     * Returns where each order that existed before stood, read under its row lock, so that the downstream events
     * of the batch are exactly the changes made: orders absent from the result were created by this transaction
     * (inserted first, so that a concurrent creator of the same order is waited for, never raced).
     *
     * <p>The ids compare with an explicit COLLATE "C", the order {@link #EVENT_TIME} uses, rather than the column's
     * collation: that is the database's default (C in tests, en_US.utf8 in the Docker image), and altering the column
     * would take a lock on this table on every shard, while the comparison is the only place the order matters.
     */
    private static Map<String, StateChanges.Position> upsertState(Handle handle, Collection<OrderEvent> newest,
                                                                  Map<String, Integer> bucketOfUser) {
        Set<String> created = new HashSet<>(bindState(handle.createQuery(INSERT_STATE + """
                        ON CONFLICT (order_id) DO NOTHING
                        RETURNING order_id"""), newest, bucketOfUser).mapTo(String.class).list());
        List<OrderEvent> existing = newest.stream().filter(event -> !created.contains(event.orderId())).toList();
        if (existing.isEmpty()) {
            return Map.of();
        }
        Map<String, StateChanges.Position> before = StateChanges.lock(handle, "orders", "order_id",
                Sql.texts(existing, OrderEvent::orderId));
        bindState(handle.createUpdate(INSERT_STATE + """
                        ON CONFLICT (order_id) DO UPDATE SET
                            user_id = EXCLUDED.user_id,
                            status = EXCLUDED.status,
                            status_rank = EXCLUDED.status_rank,
                            amount_minor = EXCLUDED.amount_minor,
                            currency = EXCLUDED.currency,
                            last_event_at = EXCLUDED.last_event_at,
                            last_provider_event_id = EXCLUDED.last_provider_event_id,
                            updated_at = now(),
                            txid = pg_current_xact_id()
                        WHERE (EXCLUDED.last_event_at, EXCLUDED.status_rank,
                               EXCLUDED.last_provider_event_id COLLATE "C")
                            > (orders.last_event_at, orders.status_rank, orders.last_provider_event_id COLLATE "C")"""),
                existing, bucketOfUser).execute();
        return before;
    }

    private static <S extends SqlStatement<S>> S bindState(S statement, Collection<OrderEvent> newest,
                                                            Map<String, Integer> bucketOfUser) {
        return statement
                .bind("orderIds", Sql.texts(newest, OrderEvent::orderId))
                .bind("userIds", Sql.texts(newest, OrderEvent::userId))
                .bind("statuses", Sql.texts(newest, event -> event.status().wireName()))
                .bind("ranks", Sql.ints(newest, event -> event.status().rank()))
                .bind("amounts", Sql.longs(newest, OrderEvent::amountMinor))
                .bind("currencies", Sql.texts(newest, OrderEvent::currency))
                .bind("occurredAts", Sql.instants(newest, OrderEvent::occurredAt))
                .bind("providerEventIds", Sql.texts(newest, OrderEvent::providerEventId))
                .bind("buckets", Sql.ints(newest, event -> bucketOfUser.get(event.userId())));
    }

    /** One row per order (ON CONFLICT DO UPDATE may touch a row once per statement), sorted by order id. */
    private static Collection<OrderEvent> newestPerOrder(List<OrderEvent> events) {
        Map<String, OrderEvent> newest = new TreeMap<>();
        for (OrderEvent event : events) {
            newest.merge(event.orderId(), event, (a, b) -> EVENT_TIME.compare(a, b) >= 0 ? a : b);
        }
        return newest.values();
    }
}
