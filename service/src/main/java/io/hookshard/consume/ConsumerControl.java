package io.hookshard.consume;

import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which topics an operator has paused on this instance. Workers read it on every loop: a paused topic's partitions
 * stay paused, also when a rebalance hands them over again, until resumed. Kafka keeps what ingest accepts meanwhile.
 */
public final class ConsumerControl {
    private final Set<String> paused = ConcurrentHashMap.newKeySet();

    /** @return whether the topic was running before */
    public boolean pause(String topic) {
        return paused.add(topic);
    }

    /** @return whether the topic was paused before */
    public boolean resume(String topic) {
        return paused.remove(topic);
    }

    /** Whether {@code topic} (or the topic whose parked events it holds) is paused. */
    public boolean isPaused(String topic) {
        return paused.contains(TopicNames.source(topic));
    }

    public Set<String> paused() {
        return new TreeSet<>(paused);
    }
}
