package io.hookshard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookshard.support.ShardSql;
import io.hookshard.support.TestApp;
import io.hookshard.support.Topics;
import io.hookshard.support.Webhooks;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** What operators do on the admin port: replay dead letters, pause and resume consumers, read maps and metrics. */
class OperationsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestApp app;
    private final Webhooks provider = new Webhooks(TestApp.SECRET);

    @BeforeAll
    static void start() throws Exception {
        app = TestApp.onSharedInfrastructure("consumers.parkWindow=2s", "consumers.lagThreshold=5").start();
    }

    @AfterAll
    static void stop() {
        app.stop();
    }

    @Test
    void replaysDeadLettersByFilterAndTwiceWithoutApplyingAnythingTwice() throws Exception {
        String user = Webhooks.randomId("user");
        String order = Webhooks.randomId("order");
        String dispute = Webhooks.randomId("dispute");
        String dlq = app.disputesTopic() + ".dlq";
        // A chargeback whose order came too late (dead-lettered as order_not_found) and a poison record.
        assertThat(provider.post(app.url("/webhooks/payments/chargebacks"), Webhooks.chargeback(
                Webhooks.randomId("evt"), order, dispute, "opened", "2026-11-21T10:00:00Z")).statusCode()).isEqualTo(202);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, app.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
            producer.send(new ProducerRecord<>(app.disputesTopic(), "poison".getBytes(StandardCharsets.UTF_8),
                    "{not an envelope".getBytes(StandardCharsets.UTF_8))).get();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> Topics.committedRecordCount(app.bootstrapServers(), dlq) == 2);
        assertThat(provider.post(app.url("/webhooks/payments/orders"), Webhooks.order(Webhooks.randomId("evt"), user,
                order, "paid", 1999, "2026-11-20T10:00:00Z")).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> provider.get(app.url("/orders/" + order)).statusCode() == 200);

        String dryRun = task("dlq-replay?dry_run=true");
        assertThat(dryRun).contains("would replay").contains("reason=order_not_found")
                .contains("reason=undecodable_envelope").contains("done: 2 of 2 dead letter(s) matched, dry run");
        Thread.sleep(1000);
        assertThat(disputes(order)).isZero();

        String replay = task("dlq-replay?reason=order_not_found&topic=" + app.disputesTopic());
        assertThat(replay).contains("done: 1 of 2 dead letter(s) matched, 1 replayed");
        await().atMost(Duration.ofSeconds(30)).until(() -> disputes(order) == 1);

        // The chargeback was replayed already and is skipped; the poison record is replayed and dead-lettered again.
        assertThat(task("dlq-replay")).contains("done: 1 of 2 dead letter(s) matched, 1 replayed;"
                + " skipped 1 replayed before");
        await().atMost(Duration.ofSeconds(30)).until(() -> Topics.committedRecordCount(app.bootstrapServers(), dlq) == 3);
        String home = app.shardUrlOf(user);
        assertThat(ShardSql.count(home, "SELECT count(*) FROM dispute_events WHERE dispute_id = ?", dispute))
                .isEqualTo(1);
    }

    @Test
    void pausedConsumersLetLagGrowWhileIngestAcceptsAndDrainItOnResume() throws Exception {
        String user = Webhooks.randomId("user");
        try {
            pauseAndResume(user);
        } finally {
            task("consumers-resume");
        }
    }

    private void pauseAndResume(String user) throws Exception {
        assertThat(task("consumers-pause?topic=" + app.ordersTopic())).contains(app.ordersTopic() + ": paused");
        assertThat(task("consumers-pause?topic=" + app.ordersTopic())).contains("was already paused");
        for (int i = 0; i < 30; i++) {
            assertThat(provider.post(app.url("/webhooks/payments/orders"), Webhooks.order(Webhooks.randomId("evt"),
                    user, Webhooks.randomId("order"), "paid", i, "2026-11-20T10:00:00Z")).statusCode()).isEqualTo(202);
        }

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode lag = JSON.readTree(provider.get(app.adminUrl("/healthcheck")).body()).get("consumer-lag");
            assertThat(lag.get("message").asText()).startsWith("WARNING: lag above 5 on [" + app.ordersTopic());
            assertThat(lag.get("warning").asBoolean()).isTrue();
        });
        assertThat(ordersOf(user)).isZero();

        assertThat(task("consumers-resume")).contains(app.ordersTopic() + ": resumed")
                .contains(app.disputesTopic() + ": was not paused");
        await().atMost(Duration.ofSeconds(30)).until(() -> ordersOf(user) == 30);
        await().atMost(Duration.ofSeconds(30)).until(() -> !JSON.readTree(provider.get(app.adminUrl("/healthcheck"))
                .body()).get("consumer-lag").get("warning").asBoolean());
    }

    @Test
    void printsTheBucketMapInForceAndWhatEachShardRecorded() throws Exception {
        String output = task("bucket-map");

        assertThat(output).contains("in force: version 1 (1024 buckets): shard-a=[0-511] (512 buckets), shard-b=[512-1023]")
                .contains("shard-a: recorded as shard-a owning [0-511]").contains("vouches for [0-511]")
                .contains("shard-b: recorded as shard-b owning [512-1023]");
    }

    @Test
    void scrapesTheMetricsInPrometheusFormat() throws Exception {
        String order = Webhooks.randomId("order");
        provider.post(app.url("/webhooks/payments/orders"), Webhooks.order(Webhooks.randomId("evt"), "user-metrics",
                order, "paid", 1, "2026-11-20T10:00:00Z"));
        provider.post(app.url("/webhooks/payments/orders"), "{}");
        await().atMost(Duration.ofSeconds(30)).until(() -> provider.get(app.url("/orders/" + order)).statusCode() == 200);

        HttpResponse<String> scrape = provider.get(app.adminUrl("/prometheus"));

        assertThat(scrape.statusCode()).isEqualTo(200);
        String ns = app.namespace();
        assertThat(scrape.body()).contains("hookshard_webhooks_received_total", "hookshard_webhooks_accepted_total",
                "hookshard_webhooks_rejected_schema_violation_total", "hookshard_webhooks_ingest",
                "hookshard_consumer_orders_webhooks_" + ns + "_applied", "hookshard_consumer_orders_webhooks_" + ns
                        + "_end_to_end", "hookshard_consumer_lag_orders_webhooks_" + ns,
                "hookshard_shards_shard_", "_orders_batch_size", "_orders_write");
        assertThat(provider.get(app.adminUrl("/metrics")).body()).contains("hookshard.webhooks.received");
    }

    @Test
    void anAdminPortBeyondLoopbackNeedsATokenAndTasksThenRequireIt() throws Exception {
        TestApp exposed = app.sibling("server.adminConnectors[0].bindHost=0.0.0.0");
        assertThatThrownBy(exposed::start).hasStackTraceContaining("set HOOKSHARD_ADMIN_TOKEN");

        try (TestApp guarded = app.sibling("server.adminConnectors[0].bindHost=0.0.0.0",
                "admin.token=t0ken-for-tests").start()) {
            HttpResponse<String> without = provider.send(HttpRequest.newBuilder(guarded.adminUrl("/tasks/bucket-map"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build());
            HttpResponse<String> wrong = provider.send(HttpRequest.newBuilder(guarded.adminUrl("/tasks/bucket-map"))
                    .header("Authorization", "Bearer guess").POST(HttpRequest.BodyPublishers.noBody()).build());
            HttpResponse<String> with = provider.send(HttpRequest.newBuilder(guarded.adminUrl("/tasks/bucket-map"))
                    .header("Authorization", "Bearer t0ken-for-tests").POST(HttpRequest.BodyPublishers.noBody()).build());

            assertThat(without.statusCode()).isEqualTo(401);
            assertThat(JSON.readTree(without.body()).get("code").asText()).isEqualTo("admin_token_required");
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(with.statusCode()).isEqualTo(200);
            assertThat(with.body()).contains("in force");
        }
    }

    @Test
    void aTaskRefusesWhatItCannotDoWithAClientStatusAndItsReason() throws Exception {
        Map<String, String> refusals = Map.of(
                "partitions-ensure?months=-1", "months must be between",
                "consumers-pause?topic=", "topic is empty",
                "consumers-pause?topic=no-such-topic", "topic must be one of",
                "buckets-move?buckets=1023-2147483647&to=shard-b", "past any bucket map",
                "buckets-move?buckets=0-1024&to=shard-b", "not in the bucket map",
                "dlq-replay?dry_run=maybe", "dry_run must be true or false",
                "dlq-replay?dryrun=true", "unknown parameter dryrun",
                "dlq-replay?from=2026-11-25T00:00:00Z&to=2026-11-24T00:00:00Z", "is after to");
        for (Map.Entry<String, String> refusal : refusals.entrySet()) {
            HttpResponse<String> response = post(refusal.getKey());
            assertThat(response.statusCode()).as(refusal.getKey() + ": " + response.body()).isEqualTo(400);
            assertThat(response.body()).startsWith("refused: ").contains(refusal.getValue());
        }
        assertThat(task("consumers-resume")).doesNotContain("refused");

        HttpResponse<String> get = provider.send(HttpRequest.newBuilder(app.adminUrl("/tasks/dlq-replay")).GET()
                .build());
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(JSON.readTree(get.body()).get("code").asText()).isEqualTo("method_not_allowed");
    }

    @Test
    void listsEveryTaskAndAnswersAnUnknownOneWithAJsonNotFound() throws Exception {
        HttpResponse<String> list = provider.send(HttpRequest.newBuilder(app.adminUrl("/tasks")).GET().build());
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body().lines().toList()).contains("dlq-replay", "consumers-pause", "consumers-resume",
                "partitions-ensure", "bucket-map", "buckets-move", "gc", "log-level");

        for (String method : List.of("POST", "GET")) {
            HttpResponse<String> unknown = provider.send(HttpRequest.newBuilder(app.adminUrl("/tasks/dlq-reply"))
                    .method(method, HttpRequest.BodyPublishers.noBody()).build());
            assertThat(unknown.statusCode()).as(method).isEqualTo(404);
            assertThat(unknown.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
                    assertThat(type).startsWith("application/json"));
            JsonNode error = JSON.readTree(unknown.body());
            assertThat(error.get("code").asText()).isEqualTo("unknown_task");
            assertThat(error.get("message").asText()).contains("dlq-reply").contains("GET /tasks");
        }
    }

    private HttpResponse<String> post(String pathAndQuery) throws Exception {
        return provider.send(HttpRequest.newBuilder(app.adminUrl("/tasks/" + pathAndQuery))
                .POST(HttpRequest.BodyPublishers.noBody()).build());
    }

    private String task(String pathAndQuery) throws Exception {
        HttpResponse<String> response = provider.send(HttpRequest.newBuilder(app.adminUrl("/tasks/" + pathAndQuery))
                .POST(HttpRequest.BodyPublishers.noBody()).build());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }

    private long disputes(String order) throws Exception {
        JsonNode view = JSON.readTree(provider.get(app.url("/orders/" + order)).body());
        return view.has("disputes") ? view.get("disputes").size() : 0;
    }

    private long ordersOf(String user) throws Exception {
        return JSON.readTree(provider.get(app.url("/users/" + user + "/orders")).body()).size();
    }
}
