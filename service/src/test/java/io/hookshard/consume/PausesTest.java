package io.hookshard.consume;

import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class PausesTest {
    private final TopicPartition p0 = new TopicPartition("t", 0);
    private final TopicPartition p1 = new TopicPartition("t", 1);
    private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
    private final Pauses pauses = new Pauses(consumer);

    PausesTest() {
        consumer.subscribe(List.of("t"));
        consumer.rebalance(List.of(p0, p1));
    }

    @Test
    void liftingOneReasonLeavesWhatAnotherReasonHolds() {
        pauses.operator(true);
        pauses.backpressure(true);
        pauses.apply();
        assertThat(consumer.paused()).containsExactlyInAnyOrder(p0, p1);

        pauses.operator(false);
        pauses.apply();
        assertThat(consumer.paused()).containsExactlyInAnyOrder(p0, p1);
        assertThat(pauses.reasons().get(p0)).containsExactly(Pauses.Reason.BACKPRESSURE);

        pauses.backpressure(false);
        pauses.apply();
        assertThat(consumer.paused()).isEmpty();
        assertThat(pauses.reasons()).isEmpty();
    }

    @Test
    void partitionsAssignedWhileAnOperatorPauseStandsArePausedAtOnce() {
        pauses.operator(true);
        pauses.apply();
        TopicPartition p2 = new TopicPartition("t", 2);
        consumer.rebalance(List.of(p0, p1, p2));
        pauses.apply();
        assertThat(consumer.paused()).isEqualTo(Set.of(p0, p1, p2));
    }
}
