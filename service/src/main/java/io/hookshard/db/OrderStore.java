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
    /**
     * Newest first by occurred_at, then by lifecycle rank, then by provider event id: a total, stable order, the same
     * as the upsert's WHERE applies in SQL (occurred_at is already cut to microseconds by the decoder; ids compare as
     * COLLATE "C" does), so which event wins never depends on how events fell into batches.
     */
    static final Comparator<OrderEvent> EVENT_TIME = Comparator.comparing(OrderEvent::occurredAt)
            .thenComparingInt(event -> event.status().rank())
            .thenComparing(OrderEvent::providerEventId, CollationC.ORDER);

    private final ShardDatabases shards;

    public OrderStore(ShardDatabases shards) {
        this.shards = shards;
    }

    /** Writes {@code routed} events, all routed to {@code shardId}; returns each one's verdict, in input order. */
    public List<WriteVerdict> write(String shardId, List<Routed<OrderEvent>> routed) {
        return shards.jdbi(shardId).inTransaction(handle -> WriteVerdict.fenced(
                BucketFence.admit(handle, routed.stream().map(Routed::bucket).toList()), routed,
                owned -> write(handle, owned)));
    }

    private List<WriteVerdict> write(Handle handle, List<Routed<OrderEvent>> routed) {
        List<InboxDao.Item<OrderEvent>> items = InboxDao.items(routed, OrderEvent::providerEventId,
                OrderEvent::eventId, OrderEvent::content);
        List<WriteVerdict> verdicts = InboxDao.admit(handle, EventType.ORDER_PAYMENT, items);
        List<Routed<OrderEvent>> fresh = new java.util.ArrayList<>();
        for (int i = 0; i < routed.size(); i++) {
            if (verdicts.get(i) == WriteVerdict.NEW) {
                fresh.add(routed.get(i));
            }
        }
        fresh.sort(Comparator.comparing((Routed<OrderEvent> each) -> each.item().orderId())
                .thenComparing(each -> each.item().providerEventId()));
        if (!fresh.isEmpty()) {
            insertEvents(handle, fresh);
            Map<String, Integer> bucketOfUser = new java.util.HashMap<>();
            fresh.forEach(each -> bucketOfUser.put(each.item().userId(), each.bucket()));
            upsertState(handle, newestPerOrder(fresh.stream().map(Routed::item).toList()), bucketOfUser);
            BucketUsageDao.mark(handle, fresh.stream().map(Routed::bucket).toList());
        }
        return verdicts;
    }

    private static void insertEvents(Handle handle, List<Routed<OrderEvent>> events) {
        CopyRows rows = new CopyRows(events.size());
        for (Routed<OrderEvent> routed : events) {
            OrderEvent event = routed.item();
            rows.number(routed.bucket()).text(event.orderId()).text(event.providerEventId()).instant(event.occurredAt()).text(event.userId())
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
     *
     * <p>The ids compare with an explicit COLLATE "C", the order {@link #EVENT_TIME} uses, rather than the column's
     * collation: that is the database's default (C in tests, en_US.utf8 in the Docker image), and altering the column
     * would take a lock on this table on every shard, while the comparison is the only place the order matters.
     */
    private static void upsertState(Handle handle, Collection<OrderEvent> newest, Map<String, Integer> bucketOfUser) {
        handle.createUpdate("""
                        INSERT INTO orders (order_id, user_id, status, status_rank, amount_minor, currency,
                                            last_event_at, last_provider_event_id, bucket)
                        SELECT * FROM unnest(:orderIds::text[], :userIds::text[], :statuses::text[],
                                             :ranks::smallint[], :amounts::bigint[], :currencies::text[],
                                             :occurredAts::timestamptz[], :providerEventIds::text[],
                                             :buckets::integer[])
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
                            > (orders.last_event_at, orders.status_rank, orders.last_provider_event_id COLLATE "C")""")
                .bind("orderIds", Sql.texts(newest, OrderEvent::orderId))
                .bind("userIds", Sql.texts(newest, OrderEvent::userId))
                .bind("statuses", Sql.texts(newest, event -> event.status().wireName()))
                .bind("ranks", Sql.ints(newest, event -> event.status().rank()))
                .bind("amounts", Sql.longs(newest, OrderEvent::amountMinor))
                .bind("currencies", Sql.texts(newest, OrderEvent::currency))
                .bind("occurredAts", Sql.instants(newest, OrderEvent::occurredAt))
                .bind("providerEventIds", Sql.texts(newest, OrderEvent::providerEventId))
                .bind("buckets", Sql.ints(newest, event -> bucketOfUser.get(event.userId())))
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
