package io.hookshard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookshard.db.PartitionManager;
import io.hookshard.db.RowBuckets;
import io.hookshard.db.ShardDatabases;
import io.hookshard.router.BucketFunction;
import io.hookshard.support.ConsumerLag;
import io.hookshard.support.ShardSql;
import io.hookshard.support.TestApp;
import io.hookshard.support.Webhooks;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What the shards record under the delivery patterns providers produce: duplicates, reordering, late retries. */
class StorageIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("yyyy_MM");
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
    void sameProviderEventFiveTimesAcrossAMonthBoundaryIsStoredOnce() throws Exception {
        String user = Webhooks.randomId("user");
        String order = Webhooks.randomId("order");
        String event = Webhooks.randomId("evt");
        // A provider that restamps its retries: the same event with five different occurred_at, in two months.
        List<String> stamps = List.of("2026-11-30T23:59:58Z", "2026-11-30T23:59:59.999Z", "2026-12-01T00:00:00Z",
                "2026-12-01T00:00:01Z", "2027-01-15T08:00:00Z");
        for (String stamp : stamps) {
            assertThat(provider.post(app.url("/webhooks/payments/orders"),
                    Webhooks.order(event, user, order, "paid", 1999, stamp)).statusCode()).isEqualTo(202);
        }

        awaitConsumed();
        String home = shardUrlOf(user);
        assertThat(ShardSql.count(home, "SELECT count(*) FROM order_events WHERE provider_event_id = ?", event))
                .isEqualTo(1);
        assertThat(ShardSql.count(home, "SELECT count(*) FROM inbox WHERE provider_event_id = ?", event)).isEqualTo(1);
        assertThat(ShardSql.count(home, "SELECT count(*) FROM orders WHERE order_id = ?", order)).isEqualTo(1);
    }

    @Test
    void everyRowCarriesTheBucketOfItsRoutingKeyAndOldRowsAreFilled() throws Exception {
        BucketFunction buckets = new BucketFunction(app.configuration().getShards().getBuckets());
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String user = Webhooks.randomId("user");
            String order = Webhooks.randomId("order");
            users.add(user);
            postOrder(user, order, "paid", "2026-11-20T10:02:00Z");
            assertThat(provider.post(app.url("/webhooks/payments/chargebacks"), Webhooks.chargeback(
                    Webhooks.randomId("evt"), order, Webhooks.randomId("dispute"), "opened", "2026-11-21T10:00:00Z"))
                    .statusCode()).isEqualTo(202);
        }
        awaitConsumed();
        for (String user : users) {
            await().atMost(Duration.ofSeconds(30)).until(() -> ShardSql.count(shardUrlOf(user),
                    "SELECT count(*) FROM disputes WHERE user_id = ?", user) == 1);
        }

        // As if written before rows carried a bucket: the backfill gives them back the one the writers gave.
        for (String shard : app.shardUrls()) {
            for (String table : List.of("inbox", "orders", "order_events", "order_directory", "disputes",
                    "dispute_events")) {
                ShardSql.count(shard, "WITH x AS (UPDATE " + table + " SET bucket = NULL RETURNING 1)"
                        + " SELECT count(*) FROM x");
            }
            Jdbi.create(shard, "postgres", "").useHandle(handle -> RowBuckets.fill(handle, buckets));
        }

        for (String shard : app.shardUrls()) {
            for (String[] keyed : new String[][]{{"orders", "user_id"}, {"order_events", "user_id"},
                    {"disputes", "user_id"}, {"dispute_events", "user_id"}, {"order_directory", "order_id"}}) {
                Jdbi.create(shard, "postgres", "").useHandle(handle -> handle
                        .createQuery("SELECT " + keyed[1] + ", bucket FROM " + keyed[0])
                        .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getObject(2)))
                        .forEach(row -> assertThat(row.getValue()).as(keyed[0] + " " + row.getKey())
                                .isEqualTo(buckets.bucketOf(row.getKey()))));
            }
            assertThat(ShardSql.count(shard, """
                    SELECT count(*) FROM inbox i WHERE i.bucket IS DISTINCT FROM coalesce(
                        (SELECT e.bucket FROM order_events e WHERE i.event_type = 'payment.order'
                           AND e.provider_event_id = i.provider_event_id LIMIT 1),
                        (SELECT e.bucket FROM dispute_events e WHERE i.event_type = 'payment.chargeback'
                           AND e.provider_event_id = i.provider_event_id LIMIT 1))""")).isZero();
        }
    }

    @Test
    void theInboxForgetsOnlyEventsAdmittedLongerAgoThanItsRetentionAndRetentionEmptiesDefault() throws Exception {
        String user = Webhooks.randomId("user");
        String oldOrder = Webhooks.randomId("order");
        String recentOrder = Webhooks.randomId("order");
        postOrder(user, oldOrder, "paid", "2026-11-20T10:02:00Z");
        postOrder(user, recentOrder, "paid", "2026-11-20T10:02:00Z");
        // An event of 2001: no monthly partition is ever made for it, so it waits in DEFAULT.
        postOrder(user, Webhooks.randomId("order"), "paid", "2001-01-10T10:00:00Z");
        awaitConsumed();
        String home = shardUrlOf(user);
        ShardSql.count(home, "WITH x AS (UPDATE inbox SET processed_at = now() - interval '36 days' WHERE"
                + " provider_event_id IN (SELECT provider_event_id FROM order_events WHERE order_id = ?)"
                + " RETURNING 1) SELECT count(*) FROM x", oldOrder);
        Map<String, Jdbi> jdbis = new LinkedHashMap<>();
        jdbis.put("shard-a", Jdbi.create(app.shardUrls().get(0), "postgres", ""));
        jdbis.put("shard-b", Jdbi.create(app.shardUrls().get(1), "postgres", ""));
        PartitionManager partitions = new PartitionManager(new ShardDatabases(jdbis), Clock.systemUTC());

        assertThat(partitions.trimInbox(Duration.ofDays(35), line -> { })).isGreaterThanOrEqualTo(1);
        partitions.dropOlderThan(60, line -> { });

        assertThat(ShardSql.count(home, "SELECT count(*) FROM inbox i JOIN order_events e USING (provider_event_id)"
                + " WHERE e.order_id = ?", oldOrder)).isZero();
        assertThat(ShardSql.count(home, "SELECT count(*) FROM inbox i JOIN order_events e USING (provider_event_id)"
                + " WHERE e.order_id = ?", recentOrder)).isEqualTo(1);
        assertThat(ShardSql.count(home, "SELECT count(*) FROM order_events_default WHERE user_id = ?", user)).isZero();
        assertThat(ShardSql.count(home, "SELECT count(*) FROM order_events WHERE user_id = ?", user)).isEqualTo(2);
    }

    @Test
    void outOfOrderDeliveryEndsInTheStateOfTheNewestEvent() throws Exception {
        String user = Webhooks.randomId("user");
        String order = Webhooks.randomId("order");
        postOrder(user, order, "paid", "2026-11-20T10:02:00Z");
        postOrder(user, order, "refunded", "2026-11-20T10:09:00Z");
        postOrder(user, order, "created", "2026-11-20T10:00:00Z");
        postOrder(user, order, "authorized", "2026-11-20T10:01:00Z");

        awaitConsumed();
        JsonNode view = JSON.readTree(provider.get(app.url("/orders/" + order)).body());
        assertThat(view.get("status").asText()).isEqualTo("refunded");
        assertThat(view.get("last_event_at").asText()).isEqualTo("2026-11-20T10:09:00Z");
        assertThat(view.get("events")).extracting(event -> event.get("status").asText())
                .containsExactly("created", "authorized", "paid", "refunded");
    }

    @Test
    void eventsAtTheSameInstantSettleOnTheLaterLifecycleStage() throws Exception {
        String user = Webhooks.randomId("user");
        String order = Webhooks.randomId("order");
        postOrder(user, order, "paid", "2026-11-20T10:00:00Z");
        postOrder(user, order, "authorized", "2026-11-20T10:00:00Z");
        postOrder(user, order, "created", "2026-11-20T10:00:00Z");

        awaitConsumed();
        assertThat(JSON.readTree(provider.get(app.url("/orders/" + order)).body()).get("status").asText())
                .isEqualTo("paid");
    }

    @Test
    void disputesFollowTheNewestEventToo() throws Exception {
        String user = Webhooks.randomId("user");
        String order = Webhooks.randomId("order");
        String dispute = Webhooks.randomId("dispute");
        postOrder(user, order, "paid", "2026-11-20T10:00:00Z");
        awaitConsumed();
        for (String[] step : new String[][]{{"lost", "2026-11-25T00:00:00Z"}, {"opened", "2026-11-21T00:00:00Z"},
                {"under_review", "2026-11-22T00:00:00Z"}}) {
            assertThat(provider.post(app.url("/webhooks/payments/chargebacks"), Webhooks.chargeback(
                    Webhooks.randomId("evt"), order, dispute, step[0], step[1])).statusCode()).isEqualTo(202);
        }

        awaitConsumed();
        JsonNode disputes = JSON.readTree(provider.get(app.url("/orders/" + order)).body()).get("disputes");
        assertThat(disputes).hasSize(1);
        assertThat(disputes.get(0).get("status").asText()).isEqualTo("lost");
        assertThat(ShardSql.count(shardUrlOf(user), "SELECT count(*) FROM dispute_events WHERE dispute_id = ?",
                dispute)).isEqualTo(3);
    }

    @Test
    void partitionsExistForTheConfiguredMonthsOnEveryShard() {
        YearMonth now = YearMonth.now(ZoneOffset.UTC);
        for (String shard : app.shardUrls()) {
            for (int ahead = 0; ahead <= 3; ahead++) {
                for (String table : PartitionManager.TABLES) {
                    String partition = table + "_p" + now.plusMonths(ahead).format(MONTH);
                    assertThat(ShardSql.count(shard, "SELECT count(*) FROM pg_class WHERE relname = ?", partition))
                            .as(partition + " on " + shard).isEqualTo(1);
                }
            }
        }
    }

    @Test
    void rowsOutsideThePartitionedMonthsLandInDefaultAndMoveWhenTheirMonthIsCreated() throws Exception {
        String user = Webhooks.randomId("user");
        YearMonth far = YearMonth.now(ZoneOffset.UTC).plusMonths(9);
        String farStamp = far.atDay(10).atStartOfDay().toInstant(ZoneOffset.UTC).toString();
        String order = Webhooks.randomId("order");
        postOrder(user, order, "created", farStamp);
        postOrder(user, Webhooks.randomId("order"), "created", "1999-01-01T00:00:00Z");
        awaitConsumed();
        String home = shardUrlOf(user);
        assertThat(ShardSql.count(home, "SELECT count(*) FROM order_events_default WHERE user_id = ?", user))
                .isEqualTo(2);

        HttpResponse<String> task = provider.send(HttpRequest.newBuilder(
                app.adminUrl("/tasks/partitions-ensure?months=9")).POST(HttpRequest.BodyPublishers.noBody()).build());

        assertThat(task.statusCode()).isEqualTo(200);
        assertThat(task.body()).contains("created order_events_p" + far.format(MONTH)).contains("0 failed");
        String partition = "order_events_p" + far.format(MONTH);
        assertThat(ShardSql.count(home, "SELECT count(*) FROM " + partition + " WHERE order_id = ?", order))
                .isEqualTo(1);
        assertThat(ShardSql.count(home, "SELECT count(*) FROM order_events_default WHERE user_id = ?", user))
                .isEqualTo(1);
        assertThat(ShardSql.count(home, "SELECT count(*) FROM order_events WHERE user_id = ?", user)).isEqualTo(2);
        HttpResponse<String> again = provider.send(HttpRequest.newBuilder(
                app.adminUrl("/tasks/partitions-ensure?months=9")).POST(HttpRequest.BodyPublishers.noBody()).build());
        assertThat(again.body()).contains("done: 0 partition(s) created");
    }

    @Test
    void retentionDropsOnlyMonthsOlderThanItKeeps() {
        Map<String, Jdbi> jdbis = new LinkedHashMap<>();
        jdbis.put("shard-a", Jdbi.create(app.shardUrls().get(0), "postgres", ""));
        jdbis.put("shard-b", Jdbi.create(app.shardUrls().get(1), "postgres", ""));
        ShardDatabases shards = new ShardDatabases(jdbis);
        // Partitions for 2020-01..2020-06, made as if it were then, then retention as of 2020-06 keeping 2 months.
        Clock then = Clock.fixed(Instant.parse("2020-01-15T00:00:00Z"), ZoneOffset.UTC);
        new PartitionManager(shards, then).ensure(5, line -> { });
        List<String> progress = new ArrayList<>();

        new PartitionManager(shards, Clock.fixed(Instant.parse("2020-06-15T00:00:00Z"), ZoneOffset.UTC))
                .dropOlderThan(2, progress::add);

        for (String shard : app.shardUrls()) {
            assertThat(ShardSql.count(shard, "SELECT count(*) FROM pg_class WHERE relkind = 'r' AND relname LIKE 'order_events_p2020_%'"))
                    .isEqualTo(3);
            assertThat(ShardSql.count(shard, "SELECT count(*) FROM pg_class WHERE relname = 'order_events_p2020_04'"))
                    .isEqualTo(1);
            assertThat(ShardSql.count(shard, "SELECT count(*) FROM pg_class WHERE relname = 'order_events_p2020_03'"))
                    .isZero();
            assertThat(ShardSql.count(shard, "SELECT count(*) FROM pg_class WHERE relname = 'order_events_default'"))
                    .isEqualTo(1);
        }
        assertThat(progress).contains("shard-a: dropped order_events_p2020_01", "shard-b: dropped dispute_events_p2020_03");
    }

    private void postOrder(String user, String order, String status, String occurredAt) throws Exception {
        assertThat(provider.post(app.url("/webhooks/payments/orders"), Webhooks.order(Webhooks.randomId("evt"), user,
                order, status, 1999, occurredAt)).statusCode()).isEqualTo(202);
    }

    private void awaitConsumed() {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() ->
                ConsumerLag.total(app.bootstrapServers(), app.configuration().getConsumers().getGroupId(),
                        app.ordersTopic()) == 0
                        && ConsumerLag.total(app.bootstrapServers(), app.configuration().getConsumers().getGroupId(),
                        app.disputesTopic()) == 0);
    }

    private String shardUrlOf(String key) {
        return app.shardUrlOf(key);
    }
}
