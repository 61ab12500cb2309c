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
        pauses.parkUntil(p1, 2_000);
        pauses.operator(true);
        pauses.backpressure(true);
        pauses.apply(1_000);
        assertThat(consumer.paused()).containsExactlyInAnyOrder(p0, p1);

        pauses.operator(false);
        pauses.apply(1_000);
        assertThat(consumer.paused()).containsExactlyInAnyOrder(p0, p1);

        pauses.backpressure(false);
        pauses.apply(1_000);
        assertThat(consumer.paused()).containsExactly(p1);
        assertThat(pauses.reasons(1_000)).containsOnlyKeys(p1);
        assertThat(pauses.reasons(1_000).get(p1)).containsExactly(Pauses.Reason.PARKED_UNTIL);

        pauses.apply(2_000);
        assertThat(consumer.paused()).isEmpty();
    }

    @Test
    void partitionsAssignedWhileAnOperatorPauseStandsArePausedAtOnce() {
        pauses.operator(true);
        pauses.apply(0);
        TopicPartition p2 = new TopicPartition("t", 2);
        consumer.rebalance(List.of(p0, p1, p2));
        pauses.apply(0);
        assertThat(consumer.paused()).isEqualTo(Set.of(p0, p1, p2));
    }
}
