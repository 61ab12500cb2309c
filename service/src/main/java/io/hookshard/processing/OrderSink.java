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

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Order payment events: first the order directory (on the shard of hash(order_id)), then the order and its event
 * (on the shard of hash(user_id)). Both writes are idempotent, so a crash between them is cured by redelivery.
 */
public final class OrderSink implements EventSink {
    private final EventDecoder decoder;
    private final ShardedWrite<OrderEvent> directoryWrite;
    private final ShardedWrite<OrderEvent> orderWrite;

    public OrderSink(EventDecoder decoder, ShardDatabases shards, DirectoryStore directory, OrderStore orders,
                     MetricRegistry metrics) {
        this.decoder = decoder;
        this.directoryWrite = new ShardedWrite<>(event -> shards.shardOf(event.orderId()), OrderEvent::providerEventId,
                (shard, events) -> recordOwners(directory, shard, events), metrics, "directory");
        this.orderWrite = new ShardedWrite<>(event -> shards.shardOf(event.userId()), OrderEvent::providerEventId,
                orders::write, metrics, "orders");
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
        // Independent writes, so that a down directory shard does not hold back orders whose owner's shard is up;
        // the event is done only when both are, and a retry repeats both (each is idempotent).
        Outcome[] directoryOutcomes = new Outcome[envelopes.size()];
        directoryWrite.write(decoded, directoryOutcomes);
        orderWrite.write(decoded, outcomes);
        for (Indexed<OrderEvent> item : decoded) {
            Outcome directory = directoryOutcomes[item.index()];
            if (!directory.isDone() && (outcomes[item.index()].isDone()
                    || directory.kind() == Outcome.Kind.PERMANENT)) {
                outcomes[item.index()] = directory;
            }
        }
        return Arrays.asList(outcomes);
    }

    private static Set<String> recordOwners(DirectoryStore directory, String shard, List<OrderEvent> events) {
        Map<String, String> owners = new HashMap<>();
        events.forEach(event -> owners.putIfAbsent(event.orderId(), event.userId()));
        directory.record(shard, owners);
        return Set.of();
    }
}
