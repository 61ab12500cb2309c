package io.hookshard.db;

import io.hookshard.core.ChargebackEvent;
import io.hookshard.core.EventType;
import io.hookshard.outbox.CloudEvents;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.SqlStatement;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Writes chargeback events onto their order owner's shard: inbox, event rows, dispute state and the downstream events
 * of its changes in one transaction (see {@link OrderStore}, whose rules this follows).
 */
public final class DisputeStore {
    /** A chargeback with the owner of its order, found in the order directory. */
    public record OwnedChargeback(ChargebackEvent event, String userId) {
    }

    /** As {@link OrderStore#EVENT_TIME}: the order the upsert's WHERE applies in SQL. */
    static final Comparator<OwnedChargeback> EVENT_TIME = Comparator
            .comparing((OwnedChargeback owned) -> owned.event().occurredAt())
            .thenComparingInt(owned -> owned.event().status().rank())
            .thenComparing(owned -> owned.event().providerEventId(), CollationC.ORDER);

    /** The dispute rows of a batch, one per dispute, bound by {@link #bindState}; the ON CONFLICT clause follows. */
    private static final String INSERT_STATE = """
            INSERT INTO disputes (dispute_id, order_id, user_id, status, status_rank, reason, amount_minor,
                                  currency, last_event_at, last_provider_event_id, bucket)
            SELECT * FROM unnest(:disputeIds::text[], :orderIds::text[], :userIds::text[],
                                 :statuses::text[], :ranks::smallint[], :reasons::text[],
                                 :amounts::bigint[], :currencies::text[], :occurredAts::timestamptz[],
                                 :providerEventIds::text[], :buckets::integer[])
            """;

    private final ShardDatabases shards;

    public DisputeStore(ShardDatabases shards) {
        this.shards = shards;
    }

    /**
     * Writes chargebacks whose owners live on {@code shardId}; returns each one's verdict, in input order. A
     * chargeback is written only beside its order: one whose order is not on this shard is ORDER_MISSING, so that no
     * dispute is ever stored where no order is (the directory can name an owner whose order write is still under way,
     * or was refused).
     */
    public List<WriteVerdict> write(String shardId, List<Routed<OwnedChargeback>> routed) {
        return shards.jdbi(shardId).inTransaction(handle -> WriteVerdict.fenced(
                BucketFence.admit(handle, routed.stream().map(Routed::bucket).toList()), routed,
                owned -> write(shardId, handle, owned)));
    }

    private List<WriteVerdict> write(String shardId, Handle handle, List<Routed<OwnedChargeback>> routed) {
        List<OwnedChargeback> chargebacks = routed.stream().map(Routed::item).toList();
        Set<String> present = storedOrders(handle, chargebacks);
        List<Routed<OwnedChargeback>> besideOrder = routed.stream()
                .filter(each -> present.contains(each.item().event().orderId())).toList();
        List<WriteVerdict> admitted = InboxDao.admit(handle, EventType.CHARGEBACK, InboxDao.items(besideOrder,
                (OwnedChargeback owned) -> owned.event().providerEventId(), owned -> owned.event().eventId(),
                owned -> owned.event().content()));
        List<OwnedChargeback> fresh = new ArrayList<>();
        Map<String, Integer> bucketOfUser = new HashMap<>();
        List<WriteVerdict> verdicts = new ArrayList<>(chargebacks.size());
        int next = 0;
        for (Routed<OwnedChargeback> each : routed) {
            if (!present.contains(each.item().event().orderId())) {
                verdicts.add(WriteVerdict.ORDER_MISSING);
                continue;
            }
            WriteVerdict verdict = admitted.get(next++);
            verdicts.add(verdict);
            if (verdict == WriteVerdict.NEW) {
                fresh.add(each.item());
                bucketOfUser.put(each.item().userId(), each.bucket());
            }
        }
        List<OwnedChargeback> applied = List.copyOf(fresh);
        fresh.sort(Comparator.comparing((OwnedChargeback owned) -> owned.event().disputeId())
                .thenComparing(owned -> owned.event().orderId()).thenComparing(owned -> owned.event().providerEventId()));
        if (!fresh.isEmpty()) {
            insertEvents(handle, fresh, bucketOfUser);
            Map<String, StateChanges.Position> before = upsertState(handle, newestPerDispute(fresh), bucketOfUser);
            OutboxDao.append(handle, StateChanges.of(applied, DisputeStore::dispute,
                    DisputeStore::position, before).stream().map(change -> CloudEvents.disputeChanged(shardId,
                    bucketOfUser.get(change.event().userId()), change.event().event(), change.event().userId(),
                    change.previousStatus())).toList());
            BucketUsageDao.mark(handle, bucketOfUser.values());
        }
        return verdicts;
    }

    /**
     * A dispute is its provider's dispute id on one order: a provider that gave the same id to chargebacks of two
     * orders gets two disputes, each on its own order, rather than one order's chargeback written over the other's.
     * Length-prefixed, so that no two pairs make the same key.
     */
    private static String dispute(OwnedChargeback owned) {
        return dispute(owned.event().disputeId(), owned.event().orderId());
    }

    private static String dispute(String disputeId, String orderId) {
        return disputeId.length() + ":" + disputeId + orderId;
    }

    private static StateChanges.Position position(OwnedChargeback owned) {
        return new StateChanges.Position(owned.event().occurredAt(), owned.event().status().rank(),
                owned.event().providerEventId(), owned.event().status().wireName());
    }

    private static Set<String> storedOrders(Handle handle, List<OwnedChargeback> chargebacks) {
        return new HashSet<>(handle.createQuery("""
                        SELECT order_id FROM orders WHERE order_id = ANY(:orderIds::text[])""")
                .bind("orderIds", chargebacks.stream().map(owned -> owned.event().orderId()).distinct()
                        .toArray(String[]::new))
                .mapTo(String.class)
                .list());
    }

    private static void insertEvents(Handle handle, List<OwnedChargeback> chargebacks,
                                     Map<String, Integer> bucketOfUser) {
        CopyRows rows = new CopyRows(chargebacks.size());
        for (OwnedChargeback owned : chargebacks) {
            ChargebackEvent event = owned.event();
            rows.number(bucketOfUser.get(owned.userId())).text(event.disputeId()).text(event.providerEventId()).instant(event.occurredAt())
                    .text(event.orderId()).text(owned.userId()).text(event.status().wireName()).text(event.reason())
                    .number(event.amountMinor()).text(event.currency()).text(event.eventId().toString())
                    .instant(event.receivedAt()).text(event.payloadJson())
                    .endRow();
        }
        rows.copyInto(handle, "dispute_events", "bucket, dispute_id, provider_event_id, occurred_at, order_id, user_id,"
                + " status, reason, amount_minor, currency, event_id, received_at, payload");
    }

    /**
     * As {@link OrderStore}'s: a dispute moves only to a strictly newer event, ids compared as COLLATE "C"; returns
     * where each dispute that existed before stood, read under its row lock.
     */
    private static Map<String, StateChanges.Position> upsertState(Handle handle,
                                                                  Collection<OwnedChargeback> newest,
                                                                  Map<String, Integer> bucketOfUser) {
        Set<String> created = new HashSet<>(bindState(handle.createQuery(INSERT_STATE + """
                        ON CONFLICT (dispute_id, order_id) DO NOTHING
                        RETURNING dispute_id, order_id"""), newest, bucketOfUser)
                .map((rs, ctx) -> dispute(rs.getString(1), rs.getString(2))).list());
        List<OwnedChargeback> existing = newest.stream()
                .filter(owned -> !created.contains(dispute(owned))).toList();
        if (existing.isEmpty()) {
            return Map.of();
        }
        Map<String, StateChanges.Position> before = lock(handle, existing);
        bindState(handle.createUpdate(INSERT_STATE + """
                        ON CONFLICT (dispute_id, order_id) DO UPDATE SET
                            status = EXCLUDED.status,
                            status_rank = EXCLUDED.status_rank,
                            reason = EXCLUDED.reason,
                            amount_minor = EXCLUDED.amount_minor,
                            currency = EXCLUDED.currency,
                            last_event_at = EXCLUDED.last_event_at,
                            last_provider_event_id = EXCLUDED.last_provider_event_id,
                            updated_at = now(),
                            txid = pg_current_xact_id()
                        WHERE (EXCLUDED.last_event_at, EXCLUDED.status_rank,
                               EXCLUDED.last_provider_event_id COLLATE "C")
                            > (disputes.last_event_at, disputes.status_rank,
                               disputes.last_provider_event_id COLLATE "C")"""), existing, bucketOfUser).execute();
        return before;
    }

    private static <S extends SqlStatement<S>> S bindState(S statement, Collection<OwnedChargeback> newest,
                                                            Map<String, Integer> bucketOfUser) {
        return statement
                .bind("disputeIds", Sql.texts(newest, owned -> owned.event().disputeId()))
                .bind("orderIds", Sql.texts(newest, owned -> owned.event().orderId()))
                .bind("userIds", Sql.texts(newest, OwnedChargeback::userId))
                .bind("statuses", Sql.texts(newest, owned -> owned.event().status().wireName()))
                .bind("ranks", Sql.ints(newest, owned -> owned.event().status().rank()))
                .bind("reasons", Sql.texts(newest, owned -> owned.event().reason()))
                .bind("amounts", Sql.longs(newest, owned -> owned.event().amountMinor()))
                .bind("currencies", Sql.texts(newest, owned -> owned.event().currency()))
                .bind("occurredAts", Sql.instants(newest, owned -> owned.event().occurredAt()))
                .bind("providerEventIds", Sql.texts(newest, owned -> owned.event().providerEventId()))
                .bind("buckets", Sql.ints(newest, owned -> bucketOfUser.get(owned.userId())));
    }

    /** As {@link StateChanges#lock}, for disputes, whose key is a pair. */
    private static Map<String, StateChanges.Position> lock(Handle handle, List<OwnedChargeback> existing) {
        Map<String, StateChanges.Position> positions = new HashMap<>();
        handle.createQuery("""
                        SELECT dispute_id, order_id, last_event_at, status_rank, last_provider_event_id, status
                        FROM disputes
                        WHERE (dispute_id, order_id) IN (SELECT * FROM unnest(:disputeIds::text[], :orderIds::text[]))
                        ORDER BY dispute_id COLLATE "C", order_id COLLATE "C"
                        FOR UPDATE""")
                .bind("disputeIds", Sql.texts(existing, owned -> owned.event().disputeId()))
                .bind("orderIds", Sql.texts(existing, owned -> owned.event().orderId()))
                .map((rs, ctx) -> Map.entry(dispute(rs.getString(1), rs.getString(2)),
                        new StateChanges.Position(rs.getObject(3, OffsetDateTime.class).toInstant(), rs.getInt(4),
                                rs.getString(5), rs.getString(6))))
                .forEach(entry -> positions.put(entry.getKey(), entry.getValue()));
        return positions;
    }

    private static Collection<OwnedChargeback> newestPerDispute(List<OwnedChargeback> rows) {
        Map<String, OwnedChargeback> newest = new TreeMap<>();
        for (OwnedChargeback owned : rows) {
            newest.merge(dispute(owned), owned, (a, b) -> EVENT_TIME.compare(a, b) >= 0 ? a : b);
        }
        return newest.values();
    }
}
