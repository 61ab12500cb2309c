package io.hookshard.db;

import io.hookshard.core.ChargebackEvent;
import io.hookshard.core.EventType;
import io.hookshard.outbox.CloudEvents;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.SqlStatement;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
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
                                  currency, last_event_at, last_provider_event_id)
            SELECT * FROM unnest(:disputeIds::text[], :orderIds::text[], :userIds::text[],
                                 :statuses::text[], :ranks::smallint[], :reasons::text[],
                                 :amounts::bigint[], :currencies::text[], :occurredAts::timestamptz[],
                                 :providerEventIds::text[])
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
    public List<WriteVerdict> write(String shardId, List<OwnedChargeback> chargebacks) {
        return shards.jdbi(shardId).inTransaction(handle -> write(shardId, handle, chargebacks));
    }

    private List<WriteVerdict> write(String shardId, Handle handle, List<OwnedChargeback> chargebacks) {
        Set<String> present = storedOrders(handle, chargebacks);
        List<OwnedChargeback> besideOrder = chargebacks.stream()
                .filter(owned -> present.contains(owned.event().orderId())).toList();
        List<WriteVerdict> admitted = InboxDao.admit(handle, EventType.CHARGEBACK, InboxDao.items(besideOrder,
                (OwnedChargeback owned) -> owned.event().providerEventId(), owned -> owned.event().eventId(),
                owned -> owned.event().payloadJson()));
        List<OwnedChargeback> fresh = new ArrayList<>();
        List<WriteVerdict> verdicts = new ArrayList<>(chargebacks.size());
        int next = 0;
        for (OwnedChargeback owned : chargebacks) {
            if (!present.contains(owned.event().orderId())) {
                verdicts.add(WriteVerdict.ORDER_MISSING);
                continue;
            }
            WriteVerdict verdict = admitted.get(next++);
            verdicts.add(verdict);
            if (verdict == WriteVerdict.NEW) {
                fresh.add(owned);
            }
        }
        List<OwnedChargeback> applied = List.copyOf(fresh);
        fresh.sort(Comparator.comparing((OwnedChargeback owned) -> owned.event().disputeId())
                .thenComparing(owned -> owned.event().providerEventId()));
        if (!fresh.isEmpty()) {
            insertEvents(handle, fresh);
            Map<String, StateChanges.Position> before = upsertState(handle, newestPerDispute(fresh));
            OutboxDao.append(handle, StateChanges.of(applied, owned -> owned.event().disputeId(),
                    DisputeStore::position, before).stream().map(change -> CloudEvents.disputeChanged(shardId,
                    bucketOf(change.event()), change.event().event(), change.event().userId(),
                    change.previousStatus())).toList());
            BucketUsageDao.mark(handle, fresh.stream().map(this::bucketOf).toList());
        }
        return verdicts;
    }

    private int bucketOf(OwnedChargeback owned) {
        return shards.router().route(owned.userId()).bucket();
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

    private static void insertEvents(Handle handle, List<OwnedChargeback> chargebacks) {
        CopyRows rows = new CopyRows(chargebacks.size());
        for (OwnedChargeback owned : chargebacks) {
            ChargebackEvent event = owned.event();
            rows.text(event.disputeId()).text(event.providerEventId()).instant(event.occurredAt())
                    .text(event.orderId()).text(owned.userId()).text(event.status().wireName()).text(event.reason())
                    .number(event.amountMinor()).text(event.currency()).text(event.eventId().toString())
                    .instant(event.receivedAt()).text(event.payloadJson())
                    .endRow();
        }
        rows.copyInto(handle, "dispute_events", "dispute_id, provider_event_id, occurred_at, order_id, user_id,"
                + " status, reason, amount_minor, currency, event_id, received_at, payload");
    }

    /**
     * As {@link OrderStore}'s: a dispute moves only to a strictly newer event, ids compared as COLLATE "C"; returns
     * where each dispute that existed before stood, read under its row lock.
     */
    private static Map<String, StateChanges.Position> upsertState(Handle handle,
                                                                  Collection<OwnedChargeback> newest) {
        Set<String> created = new HashSet<>(bindState(handle.createQuery(INSERT_STATE + """
                        ON CONFLICT (dispute_id) DO NOTHING
                        RETURNING dispute_id"""), newest).mapTo(String.class).list());
        List<OwnedChargeback> existing = newest.stream()
                .filter(owned -> !created.contains(owned.event().disputeId())).toList();
        if (existing.isEmpty()) {
            return Map.of();
        }
        Map<String, StateChanges.Position> before = StateChanges.lock(handle, "disputes", "dispute_id",
                Sql.texts(existing, owned -> owned.event().disputeId()));
        bindState(handle.createUpdate(INSERT_STATE + """
                        ON CONFLICT (dispute_id) DO UPDATE SET
                            status = EXCLUDED.status,
                            status_rank = EXCLUDED.status_rank,
                            reason = EXCLUDED.reason,
                            amount_minor = EXCLUDED.amount_minor,
                            currency = EXCLUDED.currency,
                            last_event_at = EXCLUDED.last_event_at,
                            last_provider_event_id = EXCLUDED.last_provider_event_id,
                            updated_at = now()
                        WHERE (EXCLUDED.last_event_at, EXCLUDED.status_rank,
                               EXCLUDED.last_provider_event_id COLLATE "C")
                            > (disputes.last_event_at, disputes.status_rank,
                               disputes.last_provider_event_id COLLATE "C")"""), existing).execute();
        return before;
    }

    private static <S extends SqlStatement<S>> S bindState(S statement, Collection<OwnedChargeback> newest) {
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
                .bind("providerEventIds", Sql.texts(newest, owned -> owned.event().providerEventId()));
    }

    private static Collection<OwnedChargeback> newestPerDispute(List<OwnedChargeback> rows) {
        Map<String, OwnedChargeback> newest = new TreeMap<>();
        for (OwnedChargeback owned : rows) {
            newest.merge(owned.event().disputeId(), owned, (a, b) -> EVENT_TIME.compare(a, b) >= 0 ? a : b);
        }
        return newest.values();
    }
}
