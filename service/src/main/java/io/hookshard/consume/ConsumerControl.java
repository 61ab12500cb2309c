package io.hookshard.consume;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which topics an operator has paused on this instance. Workers read it on every loop: a paused topic's partitions
 * stay paused, also when a rebalance hands them over again, until resumed. Kafka keeps what ingest accepts meanwhile.
 * Each worker reports what it last saw, so that a pause can be confirmed: once every worker of a topic has seen it,
 * nothing more of that topic is applied on this instance until it is resumed.
 */
public final class ConsumerControl {
    private final Set<String> paused = ConcurrentHashMap.newKeySet();
    private final Map<String, Seen> seen = new ConcurrentHashMap<>();

    private record Seen(String topic, boolean paused) {
    }

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

    /** A worker of {@code topic} acts on this pause state from now on. */
    void seen(String worker, String topic, boolean pausedNow) {
        seen.put(worker, new Seen(TopicNames.source(topic), pausedNow));
    }

    /** The worker stopped: it consumes nothing more, so it confirms any state. */
    void gone(String worker) {
        seen.remove(worker);
    }

    /**
     * Waits until every running worker of {@code topic} acts on its current pause state.
     *
     * @return the workers that had not confirmed it when {@code timeout} ran out (busy with a batch, or retrying)
     */
    public List<String> awaitSeen(String topic, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean wanted = paused.contains(topic);
            List<String> behind = seen.entrySet().stream()
                    .filter(entry -> entry.getValue().topic().equals(topic) && entry.getValue().paused() != wanted)
                    .map(Map.Entry::getKey).sorted().toList();
            if (behind.isEmpty() || System.nanoTime() >= deadline) {
                return behind;
            }
            Thread.sleep(20);
        }
    }
}
