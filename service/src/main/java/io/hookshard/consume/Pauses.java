package io.hookshard.consume;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one place that pauses and resumes a worker's partitions. Each reason is held separately; {@link #apply} makes
 * the consumer's paused set exactly what the reasons add up to, so that lifting one reason never resumes a partition
 * another reason still holds, and a partition assigned afresh is paused at once if a reason covers it.
 */
final class Pauses {
    enum Reason {
        /** An operator paused the topic (consumers-pause task); survives rebalances. */
        OPERATOR,
        /** Too many records wait: stop reading more until they drain. */
        BACKPRESSURE
    }

    private final Consumer<?, ?> consumer;
    private boolean operator;
    private boolean backpressure;

    Pauses(Consumer<?, ?> consumer) {
        this.consumer = consumer;
    }

    /** @return whether this changed anything */
    boolean operator(boolean paused) {
        boolean changed = operator != paused;
        operator = paused;
        return changed;
    }

    /** @return whether this changed anything */
    boolean backpressure(boolean paused) {
        boolean changed = backpressure != paused;
        backpressure = paused;
        return changed;
    }

    boolean operatorPaused() {
        return operator;
    }

    boolean backpressured() {
        return backpressure;
    }

    /** Why each paused partition is paused (for logs and tests). */
    Map<TopicPartition, Set<Reason>> reasons() {
        Map<TopicPartition, Set<Reason>> reasons = new HashMap<>();
        for (TopicPartition partition : consumer.assignment()) {
            Set<Reason> held = EnumSet.noneOf(Reason.class);
            if (operator) {
                held.add(Reason.OPERATOR);
            }
            if (backpressure) {
                held.add(Reason.BACKPRESSURE);
            }
            if (!held.isEmpty()) {
                reasons.put(partition, held);
            }
        }
        return reasons;
    }

    /** Pauses what some reason holds and resumes the rest of the assignment. */
    void apply() {
        Set<TopicPartition> held = reasons().keySet();
        Set<TopicPartition> paused = consumer.paused();
        List<TopicPartition> toPause = held.stream().filter(partition -> !paused.contains(partition)).toList();
        Set<TopicPartition> toResume = new HashSet<>(paused);
        toResume.removeAll(held);
        toResume.retainAll(consumer.assignment());
        if (!toPause.isEmpty()) {
            consumer.pause(toPause);
        }
        if (!toResume.isEmpty()) {
            consumer.resume(toResume);
        }
    }
}
