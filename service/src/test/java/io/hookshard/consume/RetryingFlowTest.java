package io.hookshard.consume;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class RetryingFlowTest {
    private static final Duration TICK = Duration.ofMillis(250);

    private final WorkerWorld world = new WorkerWorld();
    private final AtomicLong nanoTime = new AtomicLong();
    // A backoff far longer than a tick: whatever it schedules is not due at the next one.
    private final RetryingFlow flow = new RetryingFlow("test", new Progress(), world.handler(Duration.ZERO),
            new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30)), 100, nanoTime::get);

    @Test
    void retriesRecordsOfAFrozenBucketWithinAQuarterSecondHoweverLongTheFreezeLasted() throws Exception {
        // Refused 40 times: a freeze of about 10 s.
        ConsumerRecord<byte[], byte[]> record = world.append(0, WorkerWorld.Behaviour.FROZEN, 40);
        flow.accept(batch(record));
        assertThat(flow.waiting()).isEqualTo(1);

        tick(41);

        assertThat(flow.waiting()).isZero();
        assertThat(world.done).containsExactly("0:0");
    }

    @Test
    void keepsGrowingBackoffForRecordsOfAnUnavailableShard() throws Exception {
        ConsumerRecord<byte[], byte[]> record = world.append(0, WorkerWorld.Behaviour.TRANSIENT, 40);
        flow.accept(batch(record));

        tick(41);

        // At 1 s, 2 s, 4 s, ... (half fixed, half jitter) a handful of retries fit in 10 s, not 40.
        assertThat(flow.waiting()).isEqualTo(1);
        assertThat(world.failuresLeft.get("0:0")).isGreaterThan(30);
    }

    @Test
    void keepsBackoffWhenAnUnavailableShardWaitsBesideAFrozenBucket() throws Exception {
        ConsumerRecord<byte[], byte[]> frozen = world.append(0, WorkerWorld.Behaviour.FROZEN, 40);
        ConsumerRecord<byte[], byte[]> down = world.append(0, WorkerWorld.Behaviour.TRANSIENT, 40);
        flow.accept(new ConsumerRecords<>(Map.of(new TopicPartition(WorkerWorld.TOPIC, 0), List.of(frozen, down)),
                Map.of()));

        tick(41);

        assertThat(world.failuresLeft.get("0:0")).isGreaterThan(30);
        assertThat(flow.waiting()).isEqualTo(2);
    }

    private void tick(int times) throws InterruptedException {
        for (int i = 0; i < times; i++) {
            nanoTime.addAndGet(TICK.toNanos());
            flow.tick();
        }
    }

    private static ConsumerRecords<byte[], byte[]> batch(ConsumerRecord<byte[], byte[]> record) {
        return new ConsumerRecords<>(Map.of(new TopicPartition(record.topic(), record.partition()), List.of(record)),
                Map.of());
    }
}
