package io.hookshard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookshard.embedded.PostgresServer;
import io.hookshard.embedded.Ports;
import io.hookshard.support.DownstreamEvents;
import io.hookshard.support.DownstreamEvents.Published;
import io.hookshard.support.Load;
import io.hookshard.support.ServiceProcess;
import io.hookshard.support.ShardSql;
import io.hookshard.support.TestApp;
import io.hookshard.support.TestInfrastructure;
import io.hookshard.support.Webhooks;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The relay's guarantees when things break: a relay killed between the broker's ack and the mark publishes those
 * events again with the same ids and skips none; a shard down and back is published from where it stopped; of two
 * instances, one relay per shard publishes, and the other takes over when it leaves.
 */
class OutboxFailuresIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String UNPUBLISHED = "SELECT count(*) FROM outbox WHERE published_at IS NULL";
    private final Webhooks provider = new Webhooks(TestApp.SECRET);

    @Test
    void aRelayKilledBetweenThePublishAndTheMarkPublishesAgainWithTheSameIdsAndLeavesNoGap() throws Exception {
        String namespace = TestApp.newNamespace();
        List<String> shards = TestInfrastructure.shared().shards().stream().map(TestInfrastructure::freshDatabase)
                .toList();
        String bootstrap = TestInfrastructure.shared().bootstrapServers();
        String topic = "payments.events." + namespace;
        Path log = TestInfrastructure.newTempDirectory("hookshard-relay-crash-").resolve("service.log");
        Set<String> sentNotMarked = new HashSet<>();
        try (ServiceProcess service = new ServiceProcess(bootstrap, shards, namespace, log).start()) {
            deliver(service, namespace, 0, 300);
            awaitStored(shards, 300);
            awaitPublished(shards);

            // Every mark now hangs in the shards, after the relays had their acks: the moment to kill the service.
            for (String shard : shards) {
                ShardSql.execute(shard, """
                        CREATE FUNCTION hold_marks() RETURNS trigger LANGUAGE plpgsql AS
                        $$ BEGIN PERFORM pg_sleep(600); RETURN NEW; END $$""");
                ShardSql.execute(shard, "CREATE TRIGGER hold_marks BEFORE UPDATE ON outbox FOR EACH ROW"
                        + " EXECUTE FUNCTION hold_marks()");
            }
            deliver(service, namespace, 300, 300);
            awaitStored(shards, 600);
            await().atMost(Duration.ofSeconds(30)).until(() -> markHanging(shards) == shards.size());
            sentNotMarked.addAll(ids(DownstreamEvents.readAll(bootstrap, topic)));
            sentNotMarked.retainAll(column(shards, "SELECT id FROM outbox WHERE published_at IS NULL"));
            assertThat(sentNotMarked).as("events acknowledged by the broker, not marked in the outbox").isNotEmpty();

            service.kill();
            for (String shard : shards) {
                // The killed relay's backend sleeps on in the trigger, holding the relay lock, until terminated.
                ShardSql.execute(shard, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        + " WHERE application_name = 'hookshard-outbox-relay' AND datname = current_database()");
                await().atMost(Duration.ofSeconds(10)).until(() -> ShardSql.count(shard, "SELECT count(*) FROM"
                        + " pg_stat_activity WHERE application_name = 'hookshard-outbox-relay'"
                        + " AND datname = current_database()") == 0);
                ShardSql.execute(shard, "DROP TRIGGER hold_marks ON outbox");
            }
            service.start();
            awaitPublished(shards);
        }

        List<Published> published = DownstreamEvents.readAll(bootstrap, topic);
        Map<String, List<Published>> byId = published.stream().collect(Collectors.groupingBy(Published::id));
        assertThat(byId.keySet()).as("every change published, none made up").isEqualTo(allIds(shards));
        byId.forEach((id, copies) -> {
            assertThat(copies).as(id).hasSize(sentNotMarked.contains(id) ? 2 : 1);
            assertThat(copies).extracting(Published::value).as(id).containsOnly(copies.get(0).value());
        });
        assertStateOrderPerOrder(published);
    }

    @Test
    void aShardDownAndBackIsPublishedFromWhereItStopped() throws Exception {
        Path dir = TestInfrastructure.newTempDirectory("hookshard-outbox-outage-");
        PostgresServer shardA = new PostgresServer("outbox-a", TestInfrastructure.postgresBinaries(),
                dir.resolve("a"), Ports.freePort(), false).start();
        PostgresServer shardB = new PostgresServer("outbox-b", TestInfrastructure.postgresBinaries(),
                dir.resolve("b"), Ports.freePort(), false).start();
        List<String> shards = List.of(shardA.jdbcUrl(), shardB.jdbcUrl());
        try (TestApp app = TestApp.on(TestInfrastructure.shared().bootstrapServers(), shards, TestApp.newNamespace())
                .start()) {
            assertThat(task(app, "consumers-pause?topic=" + app.eventsTopic()))
                    .contains(app.eventsTopic() + ": paused");
            List<Load.Sent> sent = Load.post(provider, app.url("/webhooks/payments/orders"), 400, 8,
                    i -> body(app.namespace(), i));
            assertThat(sent).allSatisfy(s -> assertThat(s.status()).isEqualTo(202));
            awaitStored(shards, 400);
            assertThat(DownstreamEvents.readAll(app.bootstrapServers(), app.eventsTopic())).isEmpty();
            long onB = ShardSql.count(shardB.jdbcUrl(), UNPUBLISHED);
            assertThat(onB).isPositive();

            shardB.kill();
            assertThat(task(app, "consumers-resume?topic=" + app.eventsTopic()))
                    .contains(app.eventsTopic() + ": resumed");
            await().atMost(Duration.ofSeconds(30)).until(() -> ShardSql.count(shardA.jdbcUrl(), UNPUBLISHED) == 0);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode lag = JSON.readTree(provider.get(app.adminUrl("/healthcheck")).body()).get("outbox-lag");
                assertThat(lag.get("healthy").asBoolean()).isTrue();
                assertThat(lag.get("warning").asBoolean()).isTrue();
                assertThat(lag.get("message").asText()).contains("shard-b=relay failing").doesNotContain("shard-a=");
            });
            long publishedWhileDown = DownstreamEvents.readAll(app.bootstrapServers(), app.eventsTopic()).size();
            assertThat(publishedWhileDown).isEqualTo(ShardSql.count(shardA.jdbcUrl(), "SELECT count(*) FROM outbox"));

            Thread.sleep(3_000);
            shardB.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> ShardSql.count(shardB.jdbcUrl(), UNPUBLISHED) == 0);
            await().atMost(Duration.ofSeconds(30)).until(() -> !JSON.readTree(provider.get(
                    app.adminUrl("/healthcheck")).body()).get("outbox-lag").get("warning").asBoolean());

            List<Published> published = DownstreamEvents.readAll(app.bootstrapServers(), app.eventsTopic());
            assertThat(published).extracting(Published::id).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(allIds(shards));
            assertThat(published).hasSize((int) publishedWhileDown + (int) onB);
            assertStateOrderPerOrder(published);
        } finally {
            shardA.stop();
            shardB.stop();
        }
    }

    @Test
    void oneRelayPerShardPublishesAndAnotherInstanceTakesOverWhenItLeaves() throws Exception {
        TestApp first = TestApp.onSharedInfrastructure().start();
        try (TestApp second = first.sibling().start()) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                for (String shard : List.of("shard-a", "shard-b")) {
                    assertThat(active(first, shard) + active(second, shard)).as(shard).isEqualTo(1);
                }
            });
            assertThat(Load.post(provider, first.url("/webhooks/payments/orders"), 200, 4,
                    i -> body(first.namespace(), i))).allSatisfy(s -> assertThat(s.status()).isEqualTo(202));
            awaitStored(first.shardUrls(), 200);
            awaitPublished(first.shardUrls());

            first.stop();
            await().atMost(Duration.ofSeconds(10)).until(() -> active(second, "shard-a") + active(second, "shard-b")
                    == 2);
            assertThat(Load.post(provider, second.url("/webhooks/payments/orders"), 200, 4,
                    i -> body(first.namespace(), 200 + i))).allSatisfy(s -> assertThat(s.status()).isEqualTo(202));
            awaitStored(first.shardUrls(), 400);
            awaitPublished(first.shardUrls());

            List<Published> published = DownstreamEvents.readAll(second.bootstrapServers(), second.eventsTopic());
            assertThat(published).extracting(Published::id).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(allIds(first.shardUrls()));
            assertStateOrderPerOrder(published);
        } finally {
            first.stop();
        }
    }

    /** Orders of 40 users, 5 events each at two instants, so that late events and ties abound. */
    private static String body(String namespace, int i) {
        String[] statuses = {"paid", "created", "refunded", "authorized", "canceled"};
        return Webhooks.order("evt-" + namespace + "-" + i, "user-" + namespace + "-" + (i % 40),
                "order-" + namespace + "-" + (i % 80), statuses[i % 5], 100 + i,
                Instant.parse("2026-11-20T10:00:00Z").plusSeconds(i % 2).toString());
    }

    private void deliver(ServiceProcess service, String namespace, int from, int count) throws Exception {
        Load.Delivery delivery = Load.deliver(provider, () -> service.url("/webhooks/payments/orders"), count, 8,
                i -> body(namespace, from + i), done -> { });
        assertThat(delivery.accepted()).isEqualTo(count);
    }

    /**
     * Each order's events, as a consumer that skips ids it has seen reads them, are its changes of state in order:
     * strictly newer one after the other, each naming the status before it.
     */
    private static void assertStateOrderPerOrder(List<Published> published) {
        DownstreamEvents.byKey(published).forEach((order, records) -> {
            List<Published> events = DownstreamEvents.firstOfEachId(records);
            for (int i = 1; i < events.size(); i++) {
                assertThat(DownstreamEvents.STATE_ORDER.compare(events.get(i).data(), events.get(i - 1).data()))
                        .as("%s event %d", order, i).isPositive();
                assertThat(events.get(i).data().get("previous_status").asText()).as("%s event %d", order, i)
                        .isEqualTo(events.get(i - 1).data().get("status").asText());
            }
        });
    }

    private String task(TestApp app, String task) throws Exception {
        HttpResponse<String> response = provider.send(HttpRequest.newBuilder(app.adminUrl("/tasks/" + task))
                .POST(HttpRequest.BodyPublishers.noBody()).build());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }

    private int active(TestApp app, String shard) throws Exception {
        return JSON.readTree(provider.get(app.adminUrl("/metrics")).body()).get("gauges")
                .get("hookshard.outbox." + shard + ".active").get("value").asInt();
    }

    /** Shards whose relay is inside a mark that the trigger holds. */
    private static long markHanging(List<String> shards) {
        return shards.stream().filter(shard -> ShardSql.count(shard, "SELECT count(*) FROM pg_stat_activity"
                + " WHERE application_name = 'hookshard-outbox-relay' AND datname = current_database()"
                + " AND query LIKE 'UPDATE outbox%' AND state = 'active'") == 1).count();
    }

    private static void awaitStored(List<String> shards, long events) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                shards.stream().mapToLong(shard -> ShardSql.count(shard, "SELECT count(*) FROM order_events")).sum()
                        == events);
    }

    private static void awaitPublished(List<String> shards) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                shards.stream().mapToLong(shard -> ShardSql.count(shard, UNPUBLISHED)).sum() == 0);
    }

    private static List<String> ids(List<Published> records) {
        return records.stream().map(Published::id).toList();
    }

    private static Set<String> allIds(List<String> shards) throws Exception {
        return column(shards, "SELECT id FROM outbox");
    }

    private static Set<String> column(List<String> shards, String sql) throws Exception {
        Set<String> values = new HashSet<>();
        for (String shard : shards) {
            try (Connection connection = DriverManager.getConnection(shard, "postgres", "");
                 Statement statement = connection.createStatement();
                 ResultSet rs = statement.executeQuery(sql)) {
                while (rs.next()) {
                    values.add(rs.getString(1));
                }
            }
        }
        return values;
    }
}
