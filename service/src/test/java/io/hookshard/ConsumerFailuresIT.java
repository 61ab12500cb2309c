package io.hookshard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookshard.consume.DeadLetters;
import io.hookshard.core.EventType;
import io.hookshard.core.PayloadSchemas;
import io.hookshard.support.ShardSql;
import io.hookshard.support.TestApp;
import io.hookshard.support.Topics;
import io.hookshard.support.Webhooks;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Records that can never succeed go to the dead-letter topic; records that cannot succeed yet are parked. */
class ConsumerFailuresIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestApp app;
    private final Webhooks provider = new Webhooks(TestApp.SECRET);

    @BeforeAll
    static void start() throws Exception {
        app = TestApp.onSharedInfrastructure().start();
    }

    @AfterAll
    static void stop() {
        app.stop();
    }

    @Test
    void poisonRecordsAreDeadLetteredWithTheirReasonAndTheirPartitionKeepsFlowing() throws Exception {
        String user = Webhooks.randomId("user");
        byte[] key = user.getBytes(StandardCharsets.UTF_8);
        byte[] garbage = {(byte) 0xde, (byte) 0xad, '{', 0};
        String badPayload = envelope(user, "{\"provider_event_id\":\"evt-bad\",\"user_id\":\"" + user + "\"}");
        String before = Webhooks.randomId("order");
        String after = Webhooks.randomId("order");
        // One key, so one partition: good, undecodable, schema-violating, good.
        produce(key, envelope(user, Webhooks.order(Webhooks.randomId("evt"), user, before, "paid", 1,
                "2026-11-20T10:00:00Z")).getBytes(StandardCharsets.UTF_8));
        long garbageOffset = produce(key, garbage);
        produce(key, badPayload.getBytes(StandardCharsets.UTF_8));
        produce(key, envelope(user, Webhooks.order(Webhooks.randomId("evt"), user, after, "paid", 1,
                "2026-11-20T10:00:00Z")).getBytes(StandardCharsets.UTF_8));

        await().atMost(Duration.ofSeconds(30)).until(() -> provider.get(app.url("/orders/" + after)).statusCode() == 200);
        assertThat(provider.get(app.url("/orders/" + before)).statusCode()).isEqualTo(200);
        List<ConsumerRecord<byte[], byte[]>> dead = readAll(app.ordersTopic() + ".dlq", user);
        assertThat(dead).hasSize(2);
        ConsumerRecord<byte[], byte[]> undecodable = dead.get(0);
        assertThat(undecodable.key()).isEqualTo(key);
        assertThat(undecodable.value()).isEqualTo(garbage);
        assertThat(header(undecodable, DeadLetters.ERROR_CLASS)).isEqualTo("undecodable_envelope");
        assertThat(header(undecodable, DeadLetters.ORIGINAL_TOPIC)).isEqualTo(app.ordersTopic());
        assertThat(header(undecodable, DeadLetters.ORIGINAL_OFFSET)).isEqualTo(Long.toString(garbageOffset));
        assertThat(header(undecodable, DeadLetters.ATTEMPTS)).isEqualTo("1");
        assertThat(Instant.parse(header(undecodable, DeadLetters.FIRST_FAILURE_AT))).isBefore(Instant.now());
        ConsumerRecord<byte[], byte[]> invalid = dead.get(1);
        assertThat(new String(invalid.value(), StandardCharsets.UTF_8)).isEqualTo(badPayload);
        assertThat(header(invalid, DeadLetters.ERROR_CLASS)).isEqualTo("schema_violation");
        assertThat(header(invalid, DeadLetters.ERROR_MESSAGE)).contains("/order_id");
        assertThat(header(invalid, DeadLetters.EVENT_ID)).isNotBlank();
        assertThat(header(invalid, DeadLetters.EVENT_TYPE)).isEqualTo("payment.order");
    }

    @Test
    void recordsNoCodePathExpectsCostNoAcceptedWebhookAndStopNoWorker() throws Exception {
        String user = Webhooks.randomId("user");
        byte[] key = user.getBytes(StandardCharsets.UTF_8);
        List<String> orders = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            orders.add(Webhooks.randomId("order"));
            postOrder(user, orders.get(i));
        }
        // The same key as the webhooks, so the same partition: an envelope in UTF-16, one with a byte order mark, and
        // a record without a value, among 120 webhooks that were answered 202.
        String odd = envelope(user, Webhooks.order(Webhooks.randomId("evt"), user, Webhooks.randomId("order"), "paid",
                1, "2026-11-20T10:00:00Z"));
        produce(key, odd.getBytes(StandardCharsets.UTF_16));
        produce(key, ("\uFEFF" + odd).getBytes(StandardCharsets.UTF_8));
        produce(key, null);
        for (int i = 60; i < 120; i++) {
            orders.add(Webhooks.randomId("order"));
            postOrder(user, orders.get(i));
        }

        String home = app.shardUrlOf(user);
        await().atMost(Duration.ofSeconds(60)).until(() ->
                ShardSql.count(home, "SELECT count(*) FROM orders WHERE user_id = ?", user) == 120);
        await().atMost(Duration.ofSeconds(30)).until(() -> readAll(app.ordersTopic() + ".dlq", user).size() == 3);
        assertThat(readAll(app.ordersTopic() + ".dlq", user)).allSatisfy(dead ->
                assertThat(header(dead, DeadLetters.ERROR_CLASS)).isEqualTo("undecodable_envelope"));
        assertThat(ShardSql.count(home, "SELECT count(*) FROM order_events WHERE user_id = ?", user)).isEqualTo(120);
        assertThat(provider.get(app.adminUrl("/healthcheck")).body()).doesNotContain("down since");
    }

    @Test
    void anEventTheShardCanNeverStoreIsIsolatedFromItsBatchAndDeadLettered() throws Exception {
        String user = Webhooks.randomId("user");
        List<String> good = new ArrayList<>();
        byte[] key = user.getBytes(StandardCharsets.UTF_8);
        // The decoder refuses what the shards cannot store; only an envelope that claims a schema check it never had
        // can still carry what a shard refuses: here an amount below the CHECK of amount_minor (SQLSTATE 23514).
        String negative = envelope(user, Webhooks.order(Webhooks.randomId("evt"), user, Webhooks.randomId("order"),
                "paid", 1, "2026-11-20T10:00:00Z").replace("\"amount_minor\":1,", "\"amount_minor\":-1,"),
                new PayloadSchemas().version(EventType.ORDER_PAYMENT));
        String nulNote = "\"note\":\"\\u0000\"";
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (int i = 0; i < 20; i++) {
                String order = Webhooks.randomId("order");
                good.add(order);
                String payload = Webhooks.order(Webhooks.randomId("evt"), user, order, "paid", i,
                        "2026-11-20T10:00:00Z");
                // A payload is stored as the JSON text it came as, \u0000 escapes included.
                producer.send(new ProducerRecord<>(app.ordersTopic(), key, envelope(user,
                        i == 5 ? payload.replace("}", "," + nulNote + "}") : payload).getBytes(StandardCharsets.UTF_8)));
                if (i == 10) {
                    producer.send(new ProducerRecord<>(app.ordersTopic(), key, negative
                            .getBytes(StandardCharsets.UTF_8)));
                }
            }
        }

        String home = app.shardUrlOf(user);
        await().atMost(Duration.ofSeconds(30)).until(() ->
                ShardSql.count(home, "SELECT count(*) FROM orders WHERE user_id = ?", user) == 20);
        await().atMost(Duration.ofSeconds(30)).until(() -> readAll(app.ordersTopic() + ".dlq", user).size() == 1);
        ConsumerRecord<byte[], byte[]> dead = readAll(app.ordersTopic() + ".dlq", user).get(0);
        assertThat(header(dead, DeadLetters.ERROR_CLASS)).isEqualTo("constraint_violation");
        assertThat(header(dead, DeadLetters.ERROR_MESSAGE)).contains("23514");
        assertThat(ShardSql.count(home, "SELECT count(*) FROM order_events WHERE user_id = ? AND strpos(payload::text, ?) > 0",
                user, nulNote)).isEqualTo(1);
    }

    @Test
    void recordsTheShardsCouldNotStoreAreDeadLetteredAsSchemaViolationsWithTheirPointer() throws Exception {
        String user = Webhooks.randomId("user");
        byte[] key = user.getBytes(StandardCharsets.UTF_8);
        String claimed = new PayloadSchemas().version(EventType.ORDER_PAYMENT);
        String poisoned = Webhooks.randomId("order");
        String order = Webhooks.order(Webhooks.randomId("evt"), user, poisoned, "paid", 1, "2026-11-20T10:00:00Z");
        // envelope -> the pointer its dead letter must name; "claimed" ones skip the schema, not the decoder.
        Map<String, String> poison = new LinkedHashMap<>();
        poison.put(envelope(user, order.replace("2026-11-20T10:00:00Z", "0000-01-01T00:00:00Z")), "/occurred_at");
        poison.put(envelope(user, order.replace("2026-11-20T10:00:00Z", "2016-12-31T23:59:60Z"), claimed),
                "/occurred_at");
        poison.put(envelope(user, order.replace(poisoned, poisoned + "\\u0000"), claimed), "/order_id");
        poison.put(envelope(user, order.replace("}", ",\"note\":\"\\ud800\"}")), "/note");
        List<String> good = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (String envelope : poison.keySet()) {
                String goodOrder = Webhooks.randomId("order");
                good.add(goodOrder);
                producer.send(new ProducerRecord<>(app.ordersTopic(), key, envelope(user, Webhooks.order(
                        Webhooks.randomId("evt"), user, goodOrder, "paid", 1, "2026-11-20T10:00:00Z"))
                        .getBytes(StandardCharsets.UTF_8)));
                producer.send(new ProducerRecord<>(app.ordersTopic(), key,
                        envelope.getBytes(StandardCharsets.UTF_8)));
            }
        }

        String home = app.shardUrlOf(user);
        await().atMost(Duration.ofSeconds(30)).until(() ->
                ShardSql.count(home, "SELECT count(*) FROM orders WHERE user_id = ?", user) == good.size());
        await().atMost(Duration.ofSeconds(30)).until(() -> readAll(app.ordersTopic() + ".dlq", user).size() == 4);
        List<ConsumerRecord<byte[], byte[]>> dead = readAll(app.ordersTopic() + ".dlq", user);
        List<String> pointers = new ArrayList<>(poison.values());
        List<String> envelopes = new ArrayList<>(poison.keySet());
        for (int i = 0; i < dead.size(); i++) {
            assertThat(new String(dead.get(i).value(), StandardCharsets.UTF_8)).isEqualTo(envelopes.get(i));
            assertThat(header(dead.get(i), DeadLetters.ERROR_CLASS)).isEqualTo("schema_violation");
            assertThat(header(dead.get(i), DeadLetters.ERROR_MESSAGE)).contains(pointers.get(i));
        }
        assertThat(ShardSql.count(home, "SELECT count(*) FROM order_events WHERE order_id LIKE ?", poisoned + "%"))
                .isZero();
    }

    @Test
    void chargebackBeforeItsOrderIsParkedThenAppliedOnceTheOrderArrives() throws Exception {
        String user = Webhooks.randomId("user");
        String order = Webhooks.randomId("order");
        String dispute = Webhooks.randomId("dispute");
        assertThat(provider.post(app.url("/webhooks/payments/chargebacks"), Webhooks.chargeback(
                Webhooks.randomId("evt"), order, dispute, "opened", "2026-11-21T10:00:00Z")).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() ->
                Topics.recordCount(app.bootstrapServers(), app.disputesTopic() + ".retry") > 0);
        // A later chargeback of another, known order on the same topic is not held up by the parked one.
        String knownOrder = Webhooks.randomId("order");
        postOrder(user, knownOrder);
        await().atMost(Duration.ofSeconds(30)).until(() -> provider.get(app.url("/orders/" + knownOrder)).statusCode() == 200);
        assertThat(provider.post(app.url("/webhooks/payments/chargebacks"), Webhooks.chargeback(
                Webhooks.randomId("evt"), knownOrder, Webhooks.randomId("dispute"), "opened", "2026-11-21T10:00:00Z"))
                .statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            JsonNode view = JSON.readTree(provider.get(app.url("/orders/" + knownOrder)).body());
            return view.has("disputes") && view.get("disputes").size() == 1;
        });

        postOrder(user, order);

        await().atMost(Duration.ofSeconds(30)).until(() -> {
            JsonNode view = JSON.readTree(provider.get(app.url("/orders/" + order)).body());
            return view.has("disputes") && view.get("disputes").size() == 1;
        });
        String home = app.shardUrlOf(user);
        assertThat(ShardSql.count(home, "SELECT count(*) FROM dispute_events WHERE dispute_id = ?", dispute))
                .isEqualTo(1);
        assertThat(Topics.recordCount(app.bootstrapServers(), app.disputesTopic() + ".dlq")).isZero();
    }

    @Test
    void chargebacksParkedBeforeTheirOrdersLandWithinSecondsOfTheirOrders() throws Exception {
        String user = Webhooks.randomId("user");
        List<String> orders = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String order = Webhooks.randomId("order");
            orders.add(order);
            assertThat(provider.post(app.url("/webhooks/payments/chargebacks"), Webhooks.chargeback(
                    Webhooks.randomId("evt"), order, Webhooks.randomId("dispute"), "opened", "2026-11-21T10:00:00Z"))
                    .statusCode()).isEqualTo(202);
        }
        await().atMost(Duration.ofSeconds(30)).until(() ->
                Topics.committedRecordCount(app.bootstrapServers(), app.disputesTopic() + ".retry") >= 40);

        for (String order : orders) {
            postOrder(user, order);
        }

        String home = app.shardUrlOf(user);
        await().atMost(Duration.ofSeconds(60)).until(() -> ShardSql.count(home,
                "SELECT count(*) FROM disputes WHERE user_id = ?", user) == 40);
        // From the order's commit to its chargeback's, for every order: the parked chargeback is woken, not left to
        // its next scheduled retry.
        long slowestMillis = ShardSql.count(home, """
                SELECT coalesce(max(extract(epoch FROM d.stored_at - o.stored_at) * 1000), 0)::bigint
                FROM dispute_events d JOIN order_events o USING (order_id) WHERE d.user_id = ?""", user);
        assertThat(slowestMillis).isLessThan(5_000);
        assertThat(Topics.recordCount(app.bootstrapServers(), app.disputesTopic() + ".dlq")).isZero();
    }

    @Test
    void theParkWindowDoesNotRunOutWhileOrdersArePaused() throws Exception {
        try (TestApp shortWindow = TestApp.onSharedInfrastructure("consumers.parkWindow=2s").start()) {
            String user = Webhooks.randomId("user");
            String order = Webhooks.randomId("order");
            assertThat(task(shortWindow, "consumers-pause?topic=" + shortWindow.ordersTopic())).contains("paused");
            assertThat(provider.post(shortWindow.url("/webhooks/payments/orders"), Webhooks.order(
                    Webhooks.randomId("evt"), user, order, "paid", 1999, "2026-11-20T10:00:00Z")).statusCode())
                    .isEqualTo(202);
            assertThat(provider.post(shortWindow.url("/webhooks/payments/chargebacks"), Webhooks.chargeback(
                    Webhooks.randomId("evt"), order, Webhooks.randomId("dispute"), "opened", "2026-11-21T10:00:00Z"))
                    .statusCode()).isEqualTo(202);

            // Three windows long, the order waits in its paused topic: the chargeback must wait with it.
            Thread.sleep(6_000);
            assertThat(readAll(shortWindow.bootstrapServers(), shortWindow.disputesTopic() + ".dlq", order)).isEmpty();
            assertThat(task(shortWindow, "consumers-resume?topic=" + shortWindow.ordersTopic())).contains("resumed");

            await().atMost(Duration.ofSeconds(30)).until(() -> ShardSql.count(shortWindow.shardUrlOf(user),
                    "SELECT count(*) FROM disputes WHERE order_id = ?", order) == 1);
            assertThat(readAll(shortWindow.bootstrapServers(), shortWindow.disputesTopic() + ".dlq", order)).isEmpty();
        }
    }

    @Test
    void chargebackWhoseOrderNeverComesIsDeadLetteredAsOrderNotFoundAfterTheWindow() throws Exception {
        try (TestApp shortWindow = TestApp.onSharedInfrastructure("consumers.parkWindow=2s").start()) {
            String order = Webhooks.randomId("order");
            assertThat(provider.post(shortWindow.url("/webhooks/payments/chargebacks"), Webhooks.chargeback(
                    Webhooks.randomId("evt"), order, Webhooks.randomId("dispute"), "opened", "2026-11-21T10:00:00Z"))
                    .statusCode()).isEqualTo(202);

            await().atMost(Duration.ofSeconds(30)).until(() ->
                    readAll(shortWindow.bootstrapServers(), shortWindow.disputesTopic() + ".dlq", order).size() == 1);
            ConsumerRecord<byte[], byte[]> dead = readAll(shortWindow.bootstrapServers(),
                    shortWindow.disputesTopic() + ".dlq", order).get(0);
            assertThat(header(dead, DeadLetters.ERROR_CLASS)).isEqualTo("order_not_found");
            assertThat(header(dead, DeadLetters.ORIGINAL_TOPIC)).isEqualTo(shortWindow.disputesTopic());
            assertThat(Integer.parseInt(header(dead, DeadLetters.ATTEMPTS))).isGreaterThan(1);
            assertThat(Instant.parse(header(dead, DeadLetters.LAST_FAILURE_AT)))
                    .isAfterOrEqualTo(Instant.parse(header(dead, DeadLetters.FIRST_FAILURE_AT)).plusSeconds(2));
        }
    }

    private String task(TestApp target, String pathAndQuery) throws Exception {
        return provider.send(java.net.http.HttpRequest.newBuilder(target.adminUrl("/tasks/" + pathAndQuery))
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build()).body();
    }

    private void postOrder(String user, String order) throws Exception {
        assertThat(provider.post(app.url("/webhooks/payments/orders"), Webhooks.order(Webhooks.randomId("evt"), user,
                order, "paid", 1999, "2026-11-20T10:00:00Z")).statusCode()).isEqualTo(202);
    }

    private static String envelope(String key, String payload) {
        return """
                {"event_id":"%s","key":"%s","type":"payment.order","received_at":"%s","payload":%s}"""
                .formatted(UUID.randomUUID(), key, Instant.now(), payload);
    }

    /** An envelope that says it was checked against {@code schema}, as ingest's envelopes do. */
    private static String envelope(String key, String payload, String schema) {
        return """
                {"event_id":"%s","key":"%s","type":"payment.order","received_at":"%s","schema":"%s","payload":%s}"""
                .formatted(UUID.randomUUID(), key, Instant.now(), schema, payload);
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, app.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
    }

    private static long produce(byte[] key, byte[] value) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            return producer.send(new ProducerRecord<>(app.ordersTopic(), key, value)).get().offset();
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, String key) throws Exception {
        return readAll(app.bootstrapServers(), topic, key);
    }

    /** Every record of {@code topic} whose key is {@code key}, in offset order. */
    private static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrapServers, String topic, String key)
            throws Exception {
        return Topics.records(bootstrapServers, topic, key);
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        return DeadLetters.header(record.headers(), name);
    }
}
