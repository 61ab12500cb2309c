package io.hookshard;

import io.hookshard.embedded.ChildProcessKafkaBroker;
import io.hookshard.embedded.Ports;
import io.hookshard.support.Load;
import io.hookshard.support.ServiceProcess;
import io.hookshard.support.ShardSql;
import io.hookshard.support.TestApp;
import io.hookshard.support.TestInfrastructure;
import io.hookshard.support.Topics;
import io.hookshard.support.Webhooks;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Crashes under load, with thousands of events in flight: the service SIGKILLed, the broker SIGKILLed, an instance
 * joining and leaving the group. A provider retries what was not accepted; in the end every event is stored once.
 */
class CrashIT {
    private static final int EVENTS = 4000;
    private final Webhooks provider = new Webhooks(TestApp.SECRET);

    @Test
    void serviceKilledMidStreamLosesAndDoublesNothing() throws Exception {
        String namespace = TestApp.newNamespace();
        List<String> shards = freshShards();
        Path log = TestInfrastructure.newTempDirectory("hookshard-crash-").resolve("service.log");
        try (ServiceProcess service = new ServiceProcess(TestInfrastructure.shared().bootstrapServers(), shards,
                namespace, log).start()) {
            CountDownLatch third = new CountDownLatch(EVENTS / 3);
            Future<Load.Delivery> delivery = inBackground(() -> Load.deliver(provider,
                    () -> service.url("/webhooks/payments/orders"), EVENTS, 8, i -> order(namespace, i),
                    done -> third.countDown()));
            third.await();

            service.kill();
            service.start();

            Load.Delivery result = delivery.get();
            assertThat(result.gaveUp()).isZero();
            assertThat(result.accepted()).isEqualTo(EVENTS);
            assertExactlyOnce(shards, namespace);
        }
    }

    @Test
    void brokerKilledMidStreamMeans503sNeverA202ThatIsLost() throws Exception {
        String namespace = TestApp.newNamespace();
        List<String> shards = freshShards();
        int[] ports = Ports.freePorts(2);
        ChildProcessKafkaBroker broker = new ChildProcessKafkaBroker(
                TestInfrastructure.newTempDirectory("hookshard-broker-crash-").resolve("kafka"), ports[0], ports[1])
                .start();
        try (TestApp app = TestApp.on(broker.bootstrapServers(), shards, namespace).start()) {
            CountDownLatch third = new CountDownLatch(EVENTS / 3);
            Future<Load.Delivery> delivery = inBackground(() -> Load.deliver(provider,
                    () -> app.url("/webhooks/payments/orders"), EVENTS, 8, i -> order(namespace, i),
                    done -> third.countDown()));
            third.await();

            broker.kill();
            Thread.sleep(5_000);
            broker.start();

            Load.Delivery result = delivery.get();
            assertThat(result.refused()).as("webhooks answered 503 while the broker was down").isPositive();
            assertThat(result.gaveUp()).isZero();
            assertExactlyOnce(shards, namespace);
            assertThat(Topics.recordCount(broker.bootstrapServers(), "orders.webhooks." + namespace + ".dlq")).isZero();
        } finally {
            broker.stop();
        }
    }

    @Test
    void instanceJoiningAndLeavingTheGroupMidStreamLosesAndDoublesNothing() throws Exception {
        String namespace = TestApp.newNamespace();
        List<String> shards = freshShards();
        try (TestApp first = TestApp.on(TestInfrastructure.shared().bootstrapServers(), shards, namespace).start()) {
            CountDownLatch quarter = new CountDownLatch(EVENTS / 4);
            CountDownLatch threeQuarters = new CountDownLatch(3 * EVENTS / 4);
            Future<Load.Delivery> delivery = inBackground(() -> Load.deliver(provider,
                    () -> first.url("/webhooks/payments/orders"), EVENTS, 8, i -> order(namespace, i), done -> {
                        quarter.countDown();
                        threeQuarters.countDown();
                    }));
            quarter.await();
            TestApp second = first.sibling().start();
            threeQuarters.await();
            second.stop();

            assertThat(delivery.get().accepted()).isEqualTo(EVENTS);
            assertExactlyOnce(shards, namespace);
        }
    }

    private static String order(String namespace, int i) {
        return Webhooks.order("evt-" + namespace + "-" + i, "user-" + (i % 700), "order-" + namespace + "-" + i,
                i % 2 == 0 ? "paid" : "authorized", 100 + i, "2026-11-20T10:00:00Z");
    }

    private static List<String> freshShards() {
        return TestInfrastructure.shared().shards().stream().map(TestInfrastructure::freshDatabase).toList();
    }

    private static void assertExactlyOnce(List<String> shards, String namespace) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() ->
                total(shards, "SELECT count(DISTINCT provider_event_id) FROM order_events") == EVENTS);
        await().atMost(Duration.ofSeconds(60)).until(() ->
                total(shards, "SELECT count(*) FROM order_directory") == EVENTS);
        assertThat(total(shards, "SELECT count(*) FROM order_events")).isEqualTo(EVENTS);
        assertThat(total(shards, "SELECT count(*) FROM inbox")).isEqualTo(EVENTS);
        assertThat(total(shards, "SELECT count(*) FROM orders")).isEqualTo(EVENTS);
        assertThat(total(shards, "SELECT count(*) FROM order_events WHERE provider_event_id NOT LIKE 'evt-"
                + namespace + "-%'")).isZero();
    }

    private static long total(List<String> shards, String sql) {
        return shards.stream().mapToLong(shard -> ShardSql.count(shard, sql)).sum();
    }

    private static <T> Future<T> inBackground(java.util.concurrent.Callable<T> task) {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        Future<T> future = executor.submit(task);
        executor.shutdown();
        return future;
    }
}
