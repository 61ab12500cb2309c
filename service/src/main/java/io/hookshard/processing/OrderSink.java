package io.hookshard.processing;

import com.codahale.metrics.MetricRegistry;
import io.hookshard.core.Envelope;
import io.hookshard.core.EventDecoder;
import io.hookshard.core.EventType;
import io.hookshard.core.InvalidEventException;
import io.hookshard.core.OrderEvent;
import io.hookshard.db.DirectoryStore;
import io.hookshard.db.OrderStore;
import io.hookshard.db.ShardDatabases;
import io.hookshard.db.WriteVerdict;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Order payment events: first the order's owner is claimed in the order directory (on the shard of hash(order_id)),
 * then the order and its event are written (on the shard of hash(user_id)). The claim comes first and its first
 * claimant keeps the order, so an order is never split across two users' shards: an event naming another owner is a
 * conflict and is written nowhere. A claim whose order write then never succeeds points chargebacks to a shard
 * without the order, where they wait (see {@link io.hookshard.db.DisputeStore}).
 */
public final class OrderSink implements EventSink {
    private final EventDecoder decoder;
    private final ShardedWrite<OrderEvent> claims;
    private final ShardedWrite<OrderEvent> orderWrite;

    public OrderSink(EventDecoder decoder, ShardDatabases shards, DirectoryStore directory, OrderStore orders,
                     MetricRegistry metrics) {
        this.decoder = decoder;
        this.claims = new ShardedWrite<>(event -> shards.shardOf(event.orderId()),
                (shard, events) -> claim(directory, shard, events), metrics, "directory");
        this.orderWrite = new ShardedWrite<>(event -> shards.shardOf(event.userId()), orders::write, metrics,
                "orders");
    }

    @Override
    public EventType type() {
        return EventType.ORDER_PAYMENT;
    }

    @Override
    public List<Outcome> apply(List<Envelope> envelopes) {
        Outcome[] outcomes = new Outcome[envelopes.size()];
        List<Indexed<OrderEvent>> decoded = new ArrayList<>();
        for (int i = 0; i < envelopes.size(); i++) {
            try {
                decoded.add(new Indexed<>(i, decoder.order(envelopes.get(i))));
            } catch (InvalidEventException e) {
                outcomes[i] = Outcome.permanent(e.reason(), e.getMessage());
            }
        }
        Outcome[] claimed = new Outcome[envelopes.size()];
        claims.write(decoded, claimed);
        List<Indexed<OrderEvent>> owned = new ArrayList<>();
        for (Indexed<OrderEvent> item : decoded) {
            Outcome claim = claimed[item.index()];
            if (claim.kind() == Outcome.Kind.APPLIED) {
                owned.add(item);
            } else if (Outcome.CONFLICTING_REDELIVERY.equals(claim.reason())) {
                outcomes[item.index()] = Outcome.permanent(Outcome.CONFLICTING_REDELIVERY, "order "
                        + item.item().orderId() + " belongs to another user in the order directory; this event names "
                        + item.item().userId() + " and is not applied");
            } else {
                outcomes[item.index()] = claim;
            }
        }
        orderWrite.write(owned, outcomes);
        return Arrays.asList(outcomes);
    }

    /** NEW where the order is (now) the event's user's, CONFLICTING where another user claimed it first. */
    private static List<WriteVerdict> claim(DirectoryStore directory, String shard, List<OrderEvent> events) {
        Map<String, String> wanted = new LinkedHashMap<>();
        events.forEach(event -> wanted.putIfAbsent(event.orderId(), event.userId()));
        Map<String, String> owners = directory.claim(shard, wanted);
        List<WriteVerdict> verdicts = new ArrayList<>(events.size());
        for (OrderEvent event : events) {
            String owner = owners.get(event.orderId());
            if (owner == null) {
                // Claimed by a transaction whose commit this one's read did not see: transient, retried.
                throw new IllegalStateException("the claim of order " + event.orderId() + " on shard " + shard
                        + " is not visible yet");
            }
            verdicts.add(owner.equals(event.userId()) ? WriteVerdict.NEW : WriteVerdict.CONFLICTING);
        }
        return verdicts;
    }
}
