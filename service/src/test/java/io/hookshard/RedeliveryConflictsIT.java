package io.hookshard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookshard.consume.DeadLetters;
import io.hookshard.support.ShardSql;
import io.hookshard.support.TestApp;
import io.hookshard.support.Topics;
import io.hookshard.support.Webhooks;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A provider event id means one event: a copy that says something else is a conflict, never applied and never passed
 * off as a duplicate; an order event naming another owner than the order's is one too. In both ingest modes.
 */
class RedeliveryConflictsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestApp kafka;
    private static TestApp sync;
    private final Webhooks provider = new Webhooks(TestApp.SECRET);

    @BeforeAll
    static void start() throws Exception {
        kafka = TestApp.onSharedInfrastructure().start();
        sync = kafka.sibling("ingest.mode=sync").start();
    }

    @AfterAll
    static void stop() {
        sync.stop();
        kafka.stop();
    }

    @Test
    void aRedeliveryWithOtherContentIsAConflictInSyncMode() throws Exception {
        String user = Webhooks.randomId("user");
        String order = Webhooks.randomId("order");
        String event = Webhooks.randomId("evt");
        String paid = Webhooks.order(event, user, order, "paid", 1000, "2026-11-20T10:00:00Z");
        String refunded = Webhooks.order(event, user, order, "refunded", 1000, "2026-11-20T10:00:00Z");

        assertThat(post(sync, "orders", paid).statusCode()).isEqualTo(200);
        HttpResponse<String> same = post(sync, "orders", paid);
        HttpResponse<String> other = post(sync, "orders", refunded);

        assertThat(JSON.readTree(same.body()).get("status").asText()).isEqualTo("duplicate");
        assertThat(other.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(other.body()).get("code").asText()).isEqualTo("conflicting_redelivery");
        assertThat(ShardSql.string(sync.shardUrlOf(user), "SELECT status FROM orders WHERE order_id = ?", order))
                .isEqualTo("paid");
    }

    @Test
    void anOrderEventNamingAnotherOwnerIsAConflictAndStoredNowhere() throws Exception {
        String order = Webhooks.randomId("order");
        String owner = Webhooks.randomId("user");
        String intruder = Webhooks.randomId("user");

        assertThat(post(sync, "orders", Webhooks.order(Webhooks.randomId("evt"), owner, order, "paid", 1000,
                "2026-11-20T10:00:00Z")).statusCode()).isEqualTo(200);
        HttpResponse<String> other = post(sync, "orders", Webhooks.order(Webhooks.randomId("evt"), intruder, order,
                "refunded", 1000, "2026-11-21T10:00:00Z"));

        assertThat(other.statusCode()).isEqualTo(409);
        for (String shard : sync.shardUrls()) {
            assertThat(ShardSql.count(shard, "SELECT count(*) FROM orders WHERE user_id = ?", intruder)).isZero();
            assertThat(ShardSql.count(shard, "SELECT count(*) FROM order_events WHERE user_id = ?", intruder))
                    .isZero();
        }
        assertThat(ShardSql.string(sync.shardUrlOf(owner), "SELECT status FROM orders WHERE order_id = ?", order))
                .isEqualTo("paid");
    }

    @Test
    void aConflictingRedeliveryIsDeadLetteredInKafkaModeAndCounted() throws Exception {
        String user = Webhooks.randomId("user");
        String order = Webhooks.randomId("order");
        String event = Webhooks.randomId("evt");
        String after = Webhooks.randomId("order");

        assertThat(post(kafka, "orders", Webhooks.order(event, user, order, "paid", 1000, "2026-11-20T10:00:00Z"))
                .statusCode()).isEqualTo(202);
        assertThat(post(kafka, "orders", Webhooks.order(event, user, order, "paid", 1000, "2026-11-20T10:00:00Z"))
                .statusCode()).isEqualTo(202);
        assertThat(post(kafka, "orders", Webhooks.order(event, user, order, "refunded", 5, "2026-11-22T10:00:00Z"))
                .statusCode()).isEqualTo(202);
        assertThat(post(kafka, "orders", Webhooks.order(Webhooks.randomId("evt"), user, after, "paid", 1,
                "2026-11-20T10:00:00Z")).statusCode()).isEqualTo(202);

        await().atMost(Duration.ofSeconds(30)).until(() -> provider.get(kafka.url("/orders/" + after)).statusCode() == 200);
        await().atMost(Duration.ofSeconds(30)).until(() -> deadLetters(kafka.ordersTopic() + ".dlq", user).size() == 1);
        ConsumerRecord<byte[], byte[]> dead = deadLetters(kafka.ordersTopic() + ".dlq", user).get(0);
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.ERROR_CLASS)).isEqualTo("conflicting_redelivery");
        assertThat(new String(dead.value())).contains("refunded");
        JsonNode view = JSON.readTree(provider.get(kafka.url("/orders/" + order)).body());
        assertThat(view.get("status").asText()).isEqualTo("paid");
        assertThat(view.get("events")).hasSize(1);
        JsonNode metrics = JSON.readTree(provider.get(kafka.adminUrl("/metrics")).body());
        assertThat(metrics.get("counters").get("hookshard.consumer." + kafka.ordersTopic()
                + ".dead-lettered.conflicting_redelivery").get("count").asLong()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aChargebackIsNeverStoredWhereItsOrderIsNot() throws Exception {
        // The order's claim stands in the directory, but its event is refused (a conflicting redelivery of an id
        // used before): the chargeback must wait for an order, not become a dispute no API shows.
        String user = Webhooks.randomId("user");
        String event = Webhooks.randomId("evt");
        String refusedOrder = Webhooks.randomId("order");
        assertThat(post(sync, "orders", Webhooks.order(event, user, Webhooks.randomId("order"), "paid", 1,
                "2026-11-20T10:00:00Z")).statusCode()).isEqualTo(200);
        assertThat(post(sync, "orders", Webhooks.order(event, user, refusedOrder, "paid", 1,
                "2026-11-20T10:00:00Z")).statusCode()).isEqualTo(409);

        HttpResponse<String> chargeback = post(sync, "chargebacks", Webhooks.chargeback(Webhooks.randomId("evt"),
                refusedOrder, Webhooks.randomId("dispute"), "opened", "2026-11-21T10:00:00Z"));

        assertThat(chargeback.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(chargeback.body()).get("code").asText()).isEqualTo("order_not_found");
        for (String shard : sync.shardUrls()) {
            assertThat(ShardSql.count(shard, "SELECT count(*) FROM disputes WHERE order_id = ?", refusedOrder))
                    .isZero();
        }
        assertThat(Topics.recordCount(sync.bootstrapServers(), sync.disputesTopic())).isZero();
    }

    private HttpResponse<String> post(TestApp app, String endpoint, String body) throws Exception {
        return provider.post(app.url("/webhooks/payments/" + endpoint), body);
    }

    private static List<ConsumerRecord<byte[], byte[]>> deadLetters(String topic, String key) throws Exception {
        return Topics.records(kafka.bootstrapServers(), topic, key);
    }
}
