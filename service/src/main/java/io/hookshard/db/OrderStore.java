package io.hookshard.db;

import io.hookshard.core.EventType;
import io.hookshard.core.OrderEvent;
import org.jdbi.v3.core.Handle;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes order events into one shard: inbox, event rows and order state in one transaction, each a single
 * multi-row statement. Idempotent: a batch written twice changes nothing the second time.
 */
public final class OrderStore {
    /** Newest first by occurred_at, then by lifecycle rank, then by provider event id: a total, stable order. */
    static final Comparator<OrderEvent> EVENT_TIME = Comparator.comparing(OrderEvent::occurredAt)
            .thenComparingInt(event -> event.status().rank())
            .thenComparing(OrderEvent::providerEventId);

    private final ShardDatabases shards;

    public OrderStore(ShardDatabases shards) {
        this.shards = shards;
    }

    /** Writes {@code events}, all owned by {@code shardId}; returns each one's verdict, in input order. */
    public List<WriteVerdict> write(String shardId, List<OrderEvent> events) {
        return shards.jdbi(shardId).inTransaction(handle -> write(handle, events));
    }

    private List<WriteVerdict> write(Handle handle, List<OrderEvent> events) {
        List<InboxDao.Item<OrderEvent>> items = InboxDao.items(events, OrderEvent::providerEventId,
                OrderEvent::eventId, OrderEvent::content);
        List<WriteVerdict> verdicts = InboxDao.admit(handle, EventType.ORDER_PAYMENT, items);
        List<OrderEvent> fresh = new java.util.ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            if (verdicts.get(i) == WriteVerdict.NEW) {
                fresh.add(events.get(i));
            }
        }
        fresh.sort(Comparator.comparing(OrderEvent::orderId).thenComparing(OrderEvent::providerEventId));
        if (!fresh.isEmpty()) {
            insertEvents(handle, fresh);
            upsertState(handle, newestPerOrder(fresh));
            BucketUsageDao.mark(handle, fresh.stream().map(event -> shards.router().route(event.userId()).bucket())
                    .toList());
        }
        return verdicts;
    }

    private static void insertEvents(Handle handle, List<OrderEvent> events) {
        CopyRows rows = new CopyRows(events.size());
        for (OrderEvent event : events) {
            rows.text(event.orderId()).text(event.providerEventId()).instant(event.occurredAt()).text(event.userId())
                    .text(event.status().wireName()).number(event.amountMinor()).text(event.currency())
                    .text(event.eventId().toString()).instant(event.receivedAt()).text(event.payloadJson())
                    .endRow();
        }
        rows.copyInto(handle, "order_events", "order_id, provider_event_id, occurred_at, user_id, status,"
                + " amount_minor, currency, event_id, received_at, payload");
    }

    /**
     * Moves each order to its newest event, never backwards: a row is replaced only by a strictly newer event
     * (occurred_at, then rank, then provider event id), so late deliveries are recorded but roll nothing back.
     */
    private static void upsertState(Handle handle, Collection<OrderEvent> newest) {
        handle.createUpdate("""
                        INSERT INTO orders (order_id, user_id, status, status_rank, amount_minor, currency,
                                            last_event_at, last_provider_event_id)
                        SELECT * FROM unnest(:orderIds::text[], :userIds::text[], :statuses::text[],
                                             :ranks::smallint[], :amounts::bigint[], :currencies::text[],
                                             :occurredAts::timestamptz[], :providerEventIds::text[])
                        ON CONFLICT (order_id) DO UPDATE SET
                            user_id = EXCLUDED.user_id,
                            status = EXCLUDED.status,
                            status_rank = EXCLUDED.status_rank,
                            amount_minor = EXCLUDED.amount_minor,
                            currency = EXCLUDED.currency,
                            last_event_at = EXCLUDED.last_event_at,
                            last_provider_event_id = EXCLUDED.last_provider_event_id,
                            updated_at = now()
                        WHERE (EXCLUDED.last_event_at, EXCLUDED.status_rank, EXCLUDED.last_provider_event_id)
                            > (orders.last_event_at, orders.status_rank, orders.last_provider_event_id)""")
                .bind("orderIds", Sql.texts(newest, OrderEvent::orderId))
                .bind("userIds", Sql.texts(newest, OrderEvent::userId))
                .bind("statuses", Sql.texts(newest, event -> event.status().wireName()))
                .bind("ranks", Sql.ints(newest, event -> event.status().rank()))
                .bind("amounts", Sql.longs(newest, OrderEvent::amountMinor))
                .bind("currencies", Sql.texts(newest, OrderEvent::currency))
                .bind("occurredAts", Sql.instants(newest, OrderEvent::occurredAt))
                .bind("providerEventIds", Sql.texts(newest, OrderEvent::providerEventId))
                .execute();
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
