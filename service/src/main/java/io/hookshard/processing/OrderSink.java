package io.hookshard.processing;

import com.codahale.metrics.MetricRegistry;
import io.hookshard.core.Envelope;
import io.hookshard.core.EventDecoder;
import io.hookshard.core.EventType;
import io.hookshard.core.InvalidEventException;
import io.hookshard.core.OrderEvent;
import io.hookshard.db.DirectoryStore;
import io.hookshard.db.OrderStore;
import io.hookshard.db.Routed;
import io.hookshard.routing.Routing;
import io.hookshard.db.WriteVerdict;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;

/**
 * Order payment events: first the order's owner is claimed in the order directory (on the shard of hash(order_id)),
 * then the order and its event are written (on the shard of hash(user_id)). The claim comes first and its first
 * claimant keeps the order, so an order is never split across two users' shards: an event naming another owner is a
 * conflict and is written nowhere. A claim whose order write then never succeeds points chargebacks to a shard
 * without the order, where they wait (see {@link io.hookshard.db.DisputeStore}).
 */
public final class OrderSink implements EventSink {
    private final EventDecoder decoder;
    private final Routing routing;
    private final ShardedWrite<OrderEvent> claims;
    private final ShardedWrite<OrderEvent> orderWrite;

    public OrderSink(EventDecoder decoder, Routing routing, DirectoryStore directory, OrderStore orders,
                     MetricRegistry metrics, ExecutorService shardWrites, InFlightWrites inFlight) {
        this.decoder = decoder;
        this.routing = routing;
        this.claims = new ShardedWrite<>((shard, events) -> claim(directory, shard, events), metrics, "directory",
                shardWrites, inFlight);
        this.orderWrite = new ShardedWrite<>(orders::write, metrics, "orders", shardWrites, inFlight);
    }

    @Override
    public EventType type() {
        return EventType.ORDER_PAYMENT;
    }

    @Override
    public List<Outcome> apply(List<Envelope> envelopes) {
        Outcome[] outcomes = new Outcome[envelopes.size()];
        List<Indexed<Routed<OrderEvent>>> byOrder = new ArrayList<>();
        List<Indexed<Routed<OrderEvent>>> byUser = new ArrayList<>();
        for (int i = 0; i < envelopes.size(); i++) {
            try {
                OrderEvent event = decoder.order(envelopes.get(i));
                byOrder.add(new Indexed<>(i, new Routed<>(event, routing.route(event.orderId()))));
                byUser.add(new Indexed<>(i, new Routed<>(event, routing.route(event.userId()))));
            } catch (InvalidEventException e) {
                outcomes[i] = Outcome.permanent(e.reason(), e.getMessage());
            }
        }
        Outcome[] claimed = new Outcome[envelopes.size()];
        claims.write(byOrder, claimed);
        List<Indexed<Routed<OrderEvent>>> owned = new ArrayList<>();
        for (Indexed<Routed<OrderEvent>> item : byUser) {
            Outcome claim = claimed[item.index()];
            OrderEvent event = item.item().item();
            if (claim.kind() == Outcome.Kind.APPLIED) {
                owned.add(item);
            } else if (Outcome.CONFLICTING_REDELIVERY.equals(claim.reason())) {
                outcomes[item.index()] = Outcome.permanent(Outcome.CONFLICTING_REDELIVERY, "order "
                        + event.orderId() + " belongs to another user in the order directory; this event names "
                        + event.userId() + " and is not applied");
            } else {
                outcomes[item.index()] = claim;
            }
        }
        orderWrite.write(owned, outcomes);
        return Arrays.asList(outcomes);
    }

    /** NEW where the order is (now) the event's user's, CONFLICTING where another user claimed it first. */
    private static List<WriteVerdict> claim(DirectoryStore directory, String shard,
                                            List<Routed<OrderEvent>> events) {
        DirectoryStore.Claimed claimed = directory.claim(shard, events.stream().map(routed -> new DirectoryStore.Claim(
                routed.item().orderId(), routed.item().userId(), routed.bucket())).toList());
        List<WriteVerdict> verdicts = new ArrayList<>(events.size());
        for (Routed<OrderEvent> routed : events) {
            if (claimed.notOwned().contains(routed.bucket())) {
                verdicts.add(WriteVerdict.NOT_OWNED);
                continue;
            }
            OrderEvent event = routed.item();
            String owner = claimed.owners().get(event.orderId());
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
