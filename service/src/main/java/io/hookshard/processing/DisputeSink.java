package io.hookshard.processing;

import com.codahale.metrics.MetricRegistry;
import io.hookshard.core.ChargebackEvent;
import io.hookshard.core.Envelope;
import io.hookshard.core.EventDecoder;
import io.hookshard.core.EventType;
import io.hookshard.core.InvalidEventException;
import io.hookshard.db.DirectoryStore;
import io.hookshard.db.DisputeStore;
import io.hookshard.db.DisputeStore.OwnedChargeback;
import io.hookshard.db.Routed;
import io.hookshard.routing.Routing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;

/**
 * Chargebacks: look the order's owner up in the directory (shard of hash(order_id)), then write the dispute on the
 * owner's shard. An order the directory does not know yet is NOT_YET: its payment webhook may still be on its way.
 */
public final class DisputeSink implements EventSink {
    public static final String ORDER_NOT_FOUND = "order_not_found";

    private final EventDecoder decoder;
    private final Routing routing;
    private final DirectoryStore directory;
    private final ShardedWrite<OwnedChargeback> disputeWrite;
    private final BoundedRead lookups;

    public DisputeSink(EventDecoder decoder, Routing routing, DirectoryStore directory, DisputeStore disputes,
                       MetricRegistry metrics, ExecutorService shardWrites, InFlightWrites inFlight) {
        this.decoder = decoder;
        this.routing = routing;
        this.directory = directory;
        this.disputeWrite = new ShardedWrite<>(disputes::write, metrics, "disputes", shardWrites, inFlight);
        this.lookups = new BoundedRead(shardWrites, inFlight, ShardedWrite.ANSWER_DEADLINE);
    }

    @Override
    public EventType type() {
        return EventType.CHARGEBACK;
    }

    @Override
    public List<Outcome> apply(List<Envelope> envelopes) {
        Outcome[] outcomes = new Outcome[envelopes.size()];
        Map<String, List<Indexed<ChargebackEvent>>> byDirectoryShard = new LinkedHashMap<>();
        for (int i = 0; i < envelopes.size(); i++) {
            try {
                ChargebackEvent event = decoder.chargeback(envelopes.get(i));
                byDirectoryShard.computeIfAbsent(routing.shardOf(event.orderId()), shard -> new ArrayList<>())
                        .add(new Indexed<>(i, event));
            } catch (InvalidEventException e) {
                outcomes[i] = Outcome.permanent(e.reason(), e.getMessage());
            }
        }
        List<Indexed<Routed<OwnedChargeback>>> owned = new ArrayList<>();
        byDirectoryShard.forEach((shard, group) -> resolveOwners(shard, group, owned, outcomes));
        disputeWrite.write(owned, outcomes);
        return Arrays.asList(outcomes);
    }

    /** Orders (the parked chargebacks' keys) whose owner the directory knows; a shard that does not answer, none. */
    @Override
    public Set<String> ready(Collection<String> orderIds) {
        Map<String, List<String>> byDirectoryShard = new LinkedHashMap<>();
        orderIds.forEach(orderId -> byDirectoryShard.computeIfAbsent(routing.shardOf(orderId),
                shard -> new ArrayList<>()).add(orderId));
        Set<String> known = new HashSet<>();
        byDirectoryShard.forEach((shard, ids) -> {
            try {
                known.addAll(owners(shard, ids).keySet());
            } catch (RuntimeException e) {
                // that shard's parked chargebacks stay parked until it answers
            }
        });
        return known;
    }

    /** The directory's owners of {@code orderIds} on {@code shard}, waited for at most the shards' deadline. */
    private Map<String, String> owners(String shard, List<String> orderIds) {
        return lookups.read(shard, "order directory lookups", orderIds.size(), () -> directory.owners(shard, orderIds));
    }

    private void resolveOwners(String shard, List<Indexed<ChargebackEvent>> group,
                               List<Indexed<Routed<OwnedChargeback>>> owned, Outcome[] outcomes) {
        Map<String, String> owners;
        try {
            owners = owners(shard, group.stream().map(item -> item.item().orderId()).distinct().toList());
        } catch (RuntimeException e) {
            group.forEach(item -> outcomes[item.index()] = Outcome.transientFailure(shard, e));
            return;
        }
        for (Indexed<ChargebackEvent> item : group) {
            String userId = owners.get(item.item().orderId());
            if (userId == null) {
                outcomes[item.index()] = Outcome.notYet(ORDER_NOT_FOUND,
                        "order " + item.item().orderId() + " is not in the order directory yet");
            } else {
                owned.add(new Indexed<>(item.index(), new Routed<>(new OwnedChargeback(item.item(), userId),
                        routing.route(userId))));
            }
        }
    }
}
