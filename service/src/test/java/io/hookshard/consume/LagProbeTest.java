package io.hookshard.consume;

import com.codahale.metrics.MetricRegistry;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LagProbeTest {
    private static final TopicPartition PARTITION = new TopicPartition("orders.webhooks", 2);

    private final MetricRegistry metrics = new MetricRegistry();
    private final LagTracker lag = new LagTracker(metrics);
    private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>(OffsetResetStrategy.EARLIEST);

    @Test
    void recordsHeldForARetryCountAsLagThoughThePositionPassedThem() {
        // A shard is down: the worker fetched up to 2,417 but holds everything from 691 on for a retry.
        positionAt(2417, 2417);

        new LagProbe(lag, Duration.ZERO, System::nanoTime).maybeRead(consumer, partition -> 691);

        assertThat(lag.snapshot()).containsEntry(PARTITION.toString(), 2417L - 691);
        assertThat(metrics.getGauges().get("hookshard.consumer.lag.orders.webhooks.2").getValue()).isEqualTo(1726L);
    }

    @Test
    void withNothingWaitingTheLagIsWhatIsNotFetchedYet() {
        positionAt(1000, 2417);

        new LagProbe(lag, Duration.ZERO, System::nanoTime).maybeRead(consumer, partition -> Long.MAX_VALUE);

        assertThat(lag.snapshot()).containsEntry(PARTITION.toString(), 1417L);
    }

    private void positionAt(long position, long end) {
        consumer.assign(List.of(PARTITION));
        consumer.updateBeginningOffsets(Map.of(PARTITION, 0L));
        consumer.updateEndOffsets(Map.of(PARTITION, end));
        consumer.seek(PARTITION, position);
    }
}
