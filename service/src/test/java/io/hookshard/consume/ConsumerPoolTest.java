package io.hookshard.consume;

import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ConsumerPoolTest {
    @Test
    void aFailedWorkerIsReportedDownWithItsCauseAndRestarted() throws Exception {
        WorkerWorld world = new WorkerWorld();
        AtomicInteger built = new AtomicInteger();
        ConsumerPool pool = new ConsumerPool(List.of(new ConsumerPool.NamedFactory("kafka-orders.webhooks-0", () -> {
            WorkerWorld.CheckedConsumer consumer = world.consumer(1);
            if (built.incrementAndGet() == 1) {
                consumer.setPollException(new KafkaException("the broker said something no client expects"));
            }
            return world.worker(consumer, 100);
        })), Duration.ofSeconds(5), new Backoff(Duration.ofMillis(1500), Duration.ofMillis(1500)));
        pool.start();
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> pool.slots().get(0).down());
            ConsumerPool.SlotStatus down = pool.slots().get(0);
            assertThat(down.cause()).contains("the broker said something no client expects");
            assertThat(down.downSince()).isNotNull();

            await().atMost(Duration.ofSeconds(10)).until(() -> !pool.slots().get(0).down());
            assertThat(pool.slots().get(0).restarts()).isEqualTo(1);
            assertThat(built).hasValue(2);
        } finally {
            pool.stop();
        }
        assertThat(pool.slots().get(0).down()).isFalse();
    }

    @Test
    void stoppingThePoolDuringARestartBackoffEndsAtOnce() throws Exception {
        WorkerWorld world = new WorkerWorld();
        ConsumerPool pool = new ConsumerPool(List.of(new ConsumerPool.NamedFactory("kafka-orders.webhooks-0", () -> {
            WorkerWorld.CheckedConsumer consumer = world.consumer(1);
            consumer.setPollException(new KafkaException("always"));
            return world.worker(consumer, 100);
        })), Duration.ofSeconds(5), new Backoff(Duration.ofMinutes(10), Duration.ofMinutes(10)));
        pool.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> pool.slots().get(0).down());
        long started = System.nanoTime();
        pool.stop();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
    }
}
