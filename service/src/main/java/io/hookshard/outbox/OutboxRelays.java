package io.hookshard.outbox;

import io.dropwizard.lifecycle.Managed;
import org.apache.kafka.clients.producer.Producer;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The relays of every shard (a thread each, named {@code outbox-relay-<shard>}) and the producer they share. Started
 * after the shards are migrated; stopped before the producer closes, each relay marking what was acknowledged.
 */
public final class OutboxRelays implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(OutboxRelays.class);

    private final Producer<byte[], byte[]> producer;
    private final Duration shutdownTimeout;
    private final Map<String, OutboxRelay> relays = new LinkedHashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private final TopicGate topicGate;

    /**
     * @param connections each shard's relay connection: the relay holds one open, outside any pool
     * @param ensureTopic creates the topic, with its configured shape, if it does not exist
     * @param paused      whether an operator paused publishing (the consumers-pause task)
     */
    public OutboxRelays(Map<String, Jdbi> connections, Producer<byte[], byte[]> producer, String topic,
                        TopicReady ensureTopic, BooleanSupplier paused, RelaySettings settings,
                        Duration shutdownTimeout) {
        this.producer = producer;
        this.shutdownTimeout = shutdownTimeout;
        this.topicGate = new TopicGate(ensureTopic);
        connections.forEach((shardId, jdbi) -> relays.put(shardId, new OutboxRelay(shardId, jdbi, producer, topic,
                topicGate, paused, settings)));
    }

    /** Each shard's relay status, in shard order. */
    public List<RelayStatus> statuses() {
        return relays.values().stream().map(OutboxRelay::status).toList();
    }

    @Override
    public void start() {
        relays.forEach((shardId, relay) -> {
            Thread thread = new Thread(relay, "outbox-relay-" + shardId);
            threads.add(thread);
            thread.start();
        });
    }

    @Override
    public void stop() throws InterruptedException {
        relays.values().forEach(OutboxRelay::stop);
        long deadline = System.nanoTime() + shutdownTimeout.toNanos();
        for (Thread thread : threads) {
            thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
        // A relay still waiting for acks (the broker is gone) gets them failed now, marks what was acknowledged, ends.
        producer.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        for (Thread thread : threads) {
            thread.join(5_000);
            if (thread.isAlive()) {
                LOG.warn("{} did not stop; its unmarked rows are published again on the next start", thread.getName());
            }
        }
    }

    /** Ensures the topic once for all relays; until it succeeds, every relay asks again after its backoff. */
    private static final class TopicGate implements TopicReady {
        private final TopicReady ensure;
        private volatile boolean ready;

        TopicGate(TopicReady ensure) {
            this.ensure = ensure;
        }

        @Override
        public void ensure() throws Exception {
            if (ready) {
                return;
            }
            synchronized (this) {
                if (!ready) {
                    ensure.ensure();
                    ready = true;
                }
            }
        }
    }
}
