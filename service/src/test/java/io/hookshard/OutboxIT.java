package io.hookshard;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.util.JarLocation;
import io.hookshard.core.DisputeStatus;
import io.hookshard.core.OrderStatus;
import io.hookshard.support.DownstreamEvents;
import io.hookshard.support.DownstreamEvents.Published;
import io.hookshard.support.Load;
import io.hookshard.support.ShardSql;
import io.hookshard.support.TestApp;
import io.hookshard.support.Webhooks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Downstream events end to end: webhooks in, CloudEvents out of the events topic, read by a real consumer. Each
 * change of state is published once, in each order's state order; late and repeated events publish nothing; sync
 * mode publishes exactly what kafka mode does.
 */
class OutboxIT {
    private static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");

    private static TestApp kafkaMode;
    private static TestApp syncMode;
    private final Webhooks provider = new Webhooks(TestApp.SECRET);

    @BeforeAll
    static void start() throws Exception {
        kafkaMode = TestApp.onSharedInfrastructure().start();
        syncMode = TestApp.onSharedInfrastructure("ingest.mode=sync").start();
    }

    @AfterAll
    static void stop() {
        syncMode.stop();
        kafkaMode.stop();
    }

    @Test
    void eachChangeOfStateIsPublishedOnceAsACloudEventAndLateOrRepeatedEventsPublishNothing() throws Exception {
        String user = Webhooks.randomId("user");
        String order = Webhooks.randomId("order");
        String dispute = Webhooks.randomId("dispute");
        String paid = Webhooks.order("evt-" + order + "-2", user, order, "paid", 1999, "2026-11-20T10:02:00Z");
        for (String body : List.of(
                Webhooks.order("evt-" + order + "-1", user, order, "created", 1999, "2026-11-20T10:00:00Z"),
                paid,
                Webhooks.order("evt-" + order + "-3", user, order, "authorized", 1999, "2026-11-20T10:01:00Z"),
                paid,
                Webhooks.order("evt-" + order + "-4", user, order, "refunded", 1999, "2026-11-20T10:05:00.000123Z"))) {
            assertThat(provider.post(kafkaMode.url("/webhooks/payments/orders"), body).statusCode()).isEqualTo(202);
        }
        String shard = kafkaMode.shardUrlOf(user);
        await().atMost(Duration.ofSeconds(30)).until(() -> ShardSql.count(shard,
                "SELECT count(*) FROM order_events WHERE order_id = ?", order) == 4);
        for (String body : List.of(
                Webhooks.chargeback("evt-" + dispute + "-1", order, dispute, "opened", "2026-11-21T10:00:00Z"),
                Webhooks.chargeback("evt-" + dispute + "-2", order, dispute, "under_review", "2026-11-21T11:00:00Z"),
                Webhooks.chargeback("evt-" + dispute + "-3", order, dispute, "opened", "2026-11-21T09:00:00Z"))) {
            assertThat(provider.post(kafkaMode.url("/webhooks/payments/chargebacks"), body).statusCode())
                    .isEqualTo(202);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> ShardSql.count(shard,
                "SELECT count(*) FROM dispute_events WHERE dispute_id = ?", dispute) == 3);
        awaitPublished(kafkaMode);

        List<Published> events = DownstreamEvents.byKey(DownstreamEvents.readAll(kafkaMode.bootstrapServers(),
                kafkaMode.eventsTopic())).get(order);
        assertThat(events).extracting(Published::type).containsExactly("io.hookshard.order.created",
                "io.hookshard.order.paid", "io.hookshard.order.refunded", "io.hookshard.dispute.opened",
                "io.hookshard.dispute.under_review");
        assertThat(events).extracting(event -> event.data().get("previous_status").isNull()
                ? null : event.data().get("previous_status").asText())
                .containsExactly(null, "created", "paid", null, "opened");
        assertThat(events).extracting(Published::contentType).containsOnly("application/cloudevents+json; charset=UTF-8");
        assertThat(events).extracting(Published::id).doesNotHaveDuplicates();
        JsonNode refunded = events.get(2).event();
        String shardId = kafkaMode.configuration().getShards().router().shardOf(user);
        assertThat(refunded.get("specversion").asText()).isEqualTo("1.0");
        assertThat(refunded.get("source").asText()).isEqualTo("hookshard/" + shardId);
        assertThat(refunded.get("subject").asText()).isEqualTo(order);
        assertThat(refunded.get("time").asText()).isEqualTo("2026-11-20T10:05:00.000123Z");
        assertThat(refunded.get("datacontenttype").asText()).isEqualTo("application/json");
        assertThat(refunded.get("data").get("user_id").asText()).isEqualTo(user);
        assertThat(refunded.get("data").get("status").asText()).isEqualTo("refunded");
        assertThat(refunded.get("data").get("amount_minor").asLong()).isEqualTo(1999);
        assertThat(events.get(4).data().get("dispute_id").asText()).isEqualTo(dispute);
        assertThat(events.get(4).data().get("user_id").asText()).isEqualTo(user);
        assertThat(ShardSql.count(shard, "SELECT count(*) FROM outbox WHERE aggregateid = ? AND published_at IS NOT"
                + " NULL AND id::text = ANY(?)", order, events.stream().map(Published::id).toArray(String[]::new)))
                .isEqualTo(5);

        // Another late event and a repeated one change nothing, so publish nothing.
        assertThat(provider.post(kafkaMode.url("/webhooks/payments/orders"), Webhooks.order("evt-" + order + "-5",
                user, order, "paid", 1999, "2026-11-20T10:03:00Z")).statusCode()).isEqualTo(202);
        assertThat(provider.post(kafkaMode.url("/webhooks/payments/orders"), paid).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> ShardSql.count(shard,
                "SELECT count(*) FROM order_events WHERE order_id = ?", order) == 5);
        awaitPublished(kafkaMode);
        assertThat(ShardSql.count(shard, "SELECT count(*) FROM outbox WHERE aggregateid = ?", order)).isEqualTo(5);
        assertThat(DownstreamEvents.byKey(DownstreamEvents.readAll(kafkaMode.bootstrapServers(),
                kafkaMode.eventsTopic())).get(order)).hasSize(5);

        // The jar's own consumer, as the README shows it, prints the same events, one a line.
        int all = DownstreamEvents.readAll(kafkaMode.bootstrapServers(), kafkaMode.eventsTopic()).size();
        List<String> lines = runCommand("events", "tail", ResourceHelpers.resourceFilePath("test-config.yml"),
                "--from-beginning", "--max", Integer.toString(all)).lines().toList();
        assertThat(lines).hasSize(all).allSatisfy(line -> assertThat(line).startsWith("{\"specversion\":\"1.0\""));
        assertThat(lines.stream().filter(line -> line.contains("\"subject\":\"" + order + "\"")))
                .containsExactlyElementsOf(events.stream().map(Published::value).toList());
    }

    /** Runs a command of the service jar against the kafka-mode app's broker and topics; returns what it printed. */
    private static String runCommand(String... arguments) throws Exception {
        System.setProperty("dw.kafka.bootstrapServers", kafkaMode.bootstrapServers());
        System.setProperty("dw.kafka.topics.events", kafkaMode.eventsTopic());
        HookshardApplication application = new HookshardApplication();
        Bootstrap<HookshardConfiguration> bootstrap = new Bootstrap<>(application);
        application.initialize(bootstrap);
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        Optional<Throwable> failure;
        try {
            failure = new Cli(new JarLocation(OutboxIT.class), bootstrap, captured, captured).run(arguments);
        } finally {
            System.setOut(original);
            System.clearProperty("dw.kafka.bootstrapServers");
            System.clearProperty("dw.kafka.topics.events");
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        assertThat(failure).as(output).isEmpty();
        return output;
    }

    @Test
    void tenThousandEventsOverManyOrdersArriveInEachOrdersStateOrder() throws Exception {
        String run = TestApp.newNamespace();
        int orders = 1000;
        int perOrder = 10;
        Random random = new Random(15);
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < orders; i++) {
            for (int j = 0; j < perOrder; j++) {
                // Few distinct instants per order: ties are settled by rank, then by provider event id.
                bodies.add(Webhooks.order("evt-" + run + "-" + i + "-" + j, "user-" + run + "-" + (i % 300),
                        "order-" + run + "-" + i, OrderStatus.values()[random.nextInt(6)].wireName(), 100 + i,
                        T0.plusSeconds(random.nextInt(6)).toString()));
            }
        }
        Collections.shuffle(bodies, random);

        List<Load.Sent> sent = Load.post(provider, kafkaMode.url("/webhooks/payments/orders"), bodies.size(), 8,
                bodies::get);
        assertThat(sent).allSatisfy(s -> assertThat(s.status()).isEqualTo(202));
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> total(kafkaMode,
                "SELECT count(*) FROM order_events WHERE order_id LIKE 'order-" + run + "-%'") == bodies.size());
        awaitPublished(kafkaMode);

        Map<String, List<Published>> byOrder = DownstreamEvents.byKey(DownstreamEvents.readAll(
                kafkaMode.bootstrapServers(), kafkaMode.eventsTopic()));
        byOrder.keySet().removeIf(order -> !order.startsWith("order-" + run + "-"));
        Map<String, String[]> stored = finalStates(kafkaMode, run);
        List<Published> all = byOrder.values().stream().flatMap(List::stream).toList();
        assertThat(byOrder).hasSize(orders);
        assertThat(all).extracting(Published::id).doesNotHaveDuplicates();
        assertThat((long) all.size()).as("one event per outbox row")
                .isEqualTo(total(kafkaMode, "SELECT count(*) FROM outbox WHERE aggregateid LIKE 'order-" + run + "-%'"));
        assertThat(all.size()).as("late events publish nothing, most orders change more than once")
                .isBetween(2 * orders, bodies.size() - 1);
        byOrder.forEach((order, events) -> {
            String previous = null;
            for (int i = 0; i < events.size(); i++) {
                JsonNode data = events.get(i).data();
                if (i > 0) {
                    assertThat(DownstreamEvents.STATE_ORDER.compare(data, events.get(i - 1).data())).as("%s event %d", order, i)
                            .isPositive();
                }
                assertThat(data.get("previous_status").isNull() ? null : data.get("previous_status").asText())
                        .as("%s event %d", order, i).isEqualTo(previous);
                previous = data.get("status").asText();
            }
            JsonNode last = events.get(events.size() - 1).data();
            assertThat(new String[] {last.get("status").asText(), last.get("provider_event_id").asText()})
                    .as(order).containsExactly(stored.get(order));
        });
    }

    @Test
    void syncModePublishesExactlyTheEventsKafkaModePublishesFromBatches() throws Exception {
        String run = TestApp.newNamespace();
        Random random = new Random(1115);
        List<String> orderBodies = new ArrayList<>();
        List<String> chargebackBodies = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String order = "order-" + run + "-" + i;
            List<String> events = new ArrayList<>();
            for (int j = 0; j < 6; j++) {
                events.add(Webhooks.order("evt-" + run + "-" + i + "-" + j, "user-" + run + "-" + (i % 7), order,
                        OrderStatus.values()[random.nextInt(6)].wireName(), 100 + j,
                        T0.plusSeconds(random.nextInt(4)).toString()));
            }
            Collections.shuffle(events, random);
            orderBodies.addAll(events);
            if (i % 4 == 0) {
                List<String> disputes = new ArrayList<>();
                for (int j = 0; j < 4; j++) {
                    disputes.add(Webhooks.chargeback("cb-" + run + "-" + i + "-" + j, order, "dp-" + run + "-" + i,
                            DisputeStatus.values()[random.nextInt(5)].wireName(),
                            T0.plusSeconds(60 + random.nextInt(3)).toString()));
                }
                Collections.shuffle(disputes, random);
                chargebackBodies.addAll(disputes);
            }
        }

        // Kafka mode: the webhooks pile up in their topics, then each worker applies them in large batches.
        task(kafkaMode, "consumers-pause?topic=" + kafkaMode.ordersTopic());
        task(kafkaMode, "consumers-pause?topic=" + kafkaMode.disputesTopic());
        try {
            for (String body : orderBodies) {
                assertThat(provider.post(kafkaMode.url("/webhooks/payments/orders"), body).statusCode()).isEqualTo(202);
            }
            for (String body : chargebackBodies) {
                assertThat(provider.post(kafkaMode.url("/webhooks/payments/chargebacks"), body).statusCode())
                        .isEqualTo(202);
            }
            task(kafkaMode, "consumers-resume?topic=" + kafkaMode.ordersTopic());
            await().atMost(Duration.ofSeconds(60)).until(() -> total(kafkaMode, "SELECT count(*) FROM order_events"
                    + " WHERE order_id LIKE 'order-" + run + "-%'") == orderBodies.size());
        } finally {
            task(kafkaMode, "consumers-resume");
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> total(kafkaMode, "SELECT count(*) FROM dispute_events"
                + " WHERE order_id LIKE 'order-" + run + "-%'") == chargebackBodies.size());
        // Sync mode: one webhook per transaction, in the same order.
        for (String body : orderBodies) {
            assertThat(provider.post(syncMode.url("/webhooks/payments/orders"), body).statusCode()).isEqualTo(200);
        }
        for (String body : chargebackBodies) {
            assertThat(provider.post(syncMode.url("/webhooks/payments/chargebacks"), body).statusCode())
                    .isEqualTo(200);
        }
        awaitPublished(kafkaMode);
        awaitPublished(syncMode);

        Map<String, List<String>> fromKafkaMode = values(kafkaMode, run);
        Map<String, List<String>> fromSyncMode = values(syncMode, run);
        assertThat(fromKafkaMode).hasSize(40);
        assertThat(fromKafkaMode.values().stream().mapToInt(List::size).sum())
                .as("late events publish nothing").isLessThan(orderBodies.size() + chargebackBodies.size());
        assertThat(fromSyncMode).isEqualTo(fromKafkaMode);
    }

    @Test
    void publishedRowsAreTrimmedOnceOlderThanTheRetention() throws Exception {
        try (TestApp app = TestApp.onSharedInfrastructure("outbox.retention=1s", "outbox.trimInterval=100ms")
                .start()) {
            for (int i = 0; i < 20; i++) {
                assertThat(provider.post(app.url("/webhooks/payments/orders"), Webhooks.order(Webhooks.randomId("evt"),
                        "user-" + i, Webhooks.randomId("order"), "paid", i, "2026-11-20T10:00:00Z")).statusCode())
                        .isEqualTo(202);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> DownstreamEvents.readAll(app.bootstrapServers(),
                    app.eventsTopic()).size() == 20);

            await().atMost(Duration.ofSeconds(30)).until(() -> total(app, "SELECT count(*) FROM outbox") == 0);
            assertThat(DownstreamEvents.readAll(app.bootstrapServers(), app.eventsTopic())).hasSize(20);
        }
    }

    @Test
    void withNoRetentionEachRowIsDeletedAsItIsPublishedAndSentOnce() throws Exception {
        // A trim an hour away: only the relay's own delete can empty the outbox within the test.
        try (TestApp app = TestApp.onSharedInfrastructure("outbox.retention=0s", "outbox.trimInterval=1h")
                .start()) {
            List<String> orders = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String order = Webhooks.randomId("order");
                orders.add(order);
                assertThat(provider.post(app.url("/webhooks/payments/orders"), Webhooks.order(Webhooks.randomId("evt"),
                        "user-" + i, order, "paid", i, "2026-11-20T10:00:00Z")).statusCode()).isEqualTo(202);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> DownstreamEvents.readAll(app.bootstrapServers(),
                    app.eventsTopic()).size() >= 20);

            await().atMost(Duration.ofSeconds(30)).until(() -> total(app, "SELECT count(*) FROM outbox") == 0);
            assertThat(DownstreamEvents.byKey(DownstreamEvents.readAll(app.bootstrapServers(), app.eventsTopic())))
                    .containsOnlyKeys(orders).allSatisfy((order, events) -> assertThat(events).hasSize(1));
        }
    }

    @Test
    void aRowCommittedAfterLaterRowsWerePublishedIsStillPublished() throws Exception {
        try (TestApp app = TestApp.onSharedInfrastructure().start()) {
            String shard = app.shardUrlOf("user-0");
            String straggler = Webhooks.randomId("straggler");
            List<String> later = new ArrayList<>();
            try (Connection open = DriverManager.getConnection(shard, "postgres", "")) {
                // A writer that drew its seq first and commits last, as a slow consumer batch may.
                open.setAutoCommit(false);
                try (PreparedStatement insert = open.prepareStatement("""
                        INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload, bucket)
                        VALUES (?::uuid, 'order', ?, 'io.hookshard.order.paid', ?::json, 0)""")) {
                    String id = UUID.randomUUID().toString();
                    insert.setString(1, id);
                    insert.setString(2, straggler);
                    insert.setString(3, "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"hookshard/test\","
                            + "\"type\":\"io.hookshard.order.paid\",\"subject\":\"" + straggler + "\",\"data\":{}}");
                    insert.executeUpdate();
                }
                for (int i = 0; later.size() < 10; i++) {
                    String user = "user-" + i;
                    if (app.shardUrlOf(user).equals(shard)) {
                        String order = Webhooks.randomId("order");
                        later.add(order);
                        assertThat(provider.post(app.url("/webhooks/payments/orders"), Webhooks.order(
                                Webhooks.randomId("evt"), user, order, "paid", i, "2026-11-20T10:00:00Z"))
                                .statusCode()).isEqualTo(202);
                    }
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> DownstreamEvents.byKey(DownstreamEvents.readAll(
                        app.bootstrapServers(), app.eventsTopic())).keySet().containsAll(later));
                // Time for the relay's read floor to pass the open row's seq, were it not waiting for the writer.
                Thread.sleep(3_000);
                open.commit();
            }

            await().atMost(Duration.ofSeconds(30)).until(() -> DownstreamEvents.byKey(DownstreamEvents.readAll(
                    app.bootstrapServers(), app.eventsTopic())).containsKey(straggler));
            assertThat(ShardSql.count(shard, "SELECT count(*) FROM outbox WHERE aggregateid = ? AND published_at IS NOT"
                    + " NULL", straggler)).isEqualTo(1);
        }
    }

    /** Each order's published values (whole CloudEvents as text) in the order its partition holds them. */
    private static Map<String, List<String>> values(TestApp app, String run) {
        Map<String, List<String>> values = new HashMap<>();
        DownstreamEvents.byKey(DownstreamEvents.readAll(app.bootstrapServers(), app.eventsTopic())).forEach(
                (order, events) -> {
                    if (order.startsWith("order-" + run + "-")) {
                        values.put(order, events.stream().map(Published::value).toList());
                    }
                });
        return values;
    }

    private void task(TestApp app, String task) throws Exception {
        HttpResponse<String> response = provider.send(HttpRequest.newBuilder(app.adminUrl("/tasks/" + task))
                .POST(HttpRequest.BodyPublishers.noBody()).build());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    private static void awaitPublished(TestApp app) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                total(app, "SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0);
    }

    private static long total(TestApp app, String sql) {
        return app.shardUrls().stream().mapToLong(url -> ShardSql.count(url, sql)).sum();
    }

    /** order id -> {status, last_provider_event_id} as the shards store them. */
    private static Map<String, String[]> finalStates(TestApp app, String run) throws Exception {
        Map<String, String[]> states = new HashMap<>();
        for (String url : app.shardUrls()) {
            try (Connection connection = DriverManager.getConnection(url, "postgres", "");
                 Statement statement = connection.createStatement();
                 ResultSet rs = statement.executeQuery("SELECT order_id, status, last_provider_event_id FROM orders"
                         + " WHERE order_id LIKE 'order-" + run + "-%'")) {
                while (rs.next()) {
                    states.put(rs.getString(1), new String[] {rs.getString(2), rs.getString(3)});
                }
            }
        }
        return states;
    }
}
