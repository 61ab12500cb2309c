package io.hookshard;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookshard.embedded.ChildProcessKafkaBroker;
import io.hookshard.embedded.Ports;
import io.hookshard.support.ShardSql;
import io.hookshard.support.TestApp;
import io.hookshard.support.TestInfrastructure;
import io.hookshard.support.Webhooks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** While the broker is dead, webhooks get 503 with Retry-After, never a 202; after it returns, 202 again. */
class BrokerOutageIT {
    private static ChildProcessKafkaBroker broker;
    private static TestApp app;
    private final Webhooks provider = new Webhooks(TestApp.SECRET);

    @BeforeAll
    static void start() throws Exception {
        int[] ports = Ports.freePorts(2);
        broker = new ChildProcessKafkaBroker(TestInfrastructure.newTempDirectory("hookshard-outage-").resolve("kafka"),
                ports[0], ports[1]).start();
        List<String> shards = TestInfrastructure.shared().shards().stream()
                .map(TestInfrastructure::freshDatabase).toList();
        app = TestApp.on(broker.bootstrapServers(), shards, TestApp.newNamespace()).start();
    }

    @AfterAll
    static void stop() {
        app.stop();
        broker.stop();
    }

    @Test
    void answers503NotAcceptedWhileTheBrokerIsDown() throws Exception {
        String user = Webhooks.randomId("user");
        List<String> accepted = new ArrayList<>();
        accepted.add(postOrder(user, 202));

        broker.kill();
        long started = System.nanoTime();
        HttpResponse<String> refused = provider.post(app.url("/webhooks/payments/orders"),
                Webhooks.order(Webhooks.randomId("evt"), user, Webhooks.randomId("order"), "paid", 1, "2026-11-20T10:00:00Z"));
        Duration waited = Duration.ofNanos(System.nanoTime() - started);

        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(new ObjectMapper().readTree(refused.body()).get("code").asText()).isEqualTo("broker_unavailable");
        // A send in flight when the timeout struck may still be written: the answer must not say it was not.
        assertThat(new ObjectMapper().readTree(refused.body()).get("message").asText())
                .contains("may still be stored").contains("retry").doesNotContain("nothing was accepted");
        // Bounded by the produce timeout (3 s in the test config), not by a client's patience.
        assertThat(waited).isLessThan(Duration.ofSeconds(10));

        broker.start();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
                provider.post(app.url("/webhooks/payments/orders"), Webhooks.order(Webhooks.randomId("evt"), user,
                        Webhooks.randomId("order"), "created", 1, "2026-11-20T10:00:00Z")).statusCode() == 202);
        accepted.add(postOrder(user, 202));

        for (String order : accepted) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                    provider.get(app.url("/orders/" + order)).statusCode()).isEqualTo(200));
        }
        String home = app.shardUrlOf(user);
        for (String order : accepted) {
            assertThat(ShardSql.count(home, "SELECT count(*) FROM order_events WHERE order_id = ?", order)).isEqualTo(1);
        }
    }

    private String postOrder(String user, int expectedStatus) throws Exception {
        String order = Webhooks.randomId("order");
        assertThat(provider.post(app.url("/webhooks/payments/orders"), Webhooks.order(Webhooks.randomId("evt"), user,
                order, "paid", 100, "2026-11-20T10:00:00Z")).statusCode()).isEqualTo(expectedStatus);
        return order;
    }
}
