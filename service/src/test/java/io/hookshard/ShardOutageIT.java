package io.hookshard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookshard.embedded.PostgresServer;
import io.hookshard.embedded.Ports;
import io.hookshard.support.Load;
import io.hookshard.support.ShardSql;
import io.hookshard.support.TestApp;
import io.hookshard.support.TestInfrastructure;
import io.hookshard.support.Topics;
import io.hookshard.support.Webhooks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A shard SIGKILLed under load and started again 30 s later: the other shard keeps landing its events, the dead
 * shard's events land once it is back, without restarting the service, nothing is dead-lettered, nothing doubled.
 * A hung shard is reported unhealthy alone.
 */
class ShardOutageIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int EVENTS = 3000;
    private static PostgresServer shardA;
    private static PostgresServer shardB;
    private static TestApp app;
    private final Webhooks provider = new Webhooks(TestApp.SECRET);

    @BeforeAll
    static void start() throws Exception {
        Path dir = TestInfrastructure.newTempDirectory("hookshard-outage-");
        shardA = new PostgresServer("outage-a", TestInfrastructure.postgresBinaries(), dir.resolve("a"), Ports.freePort(),
                false).start();
        shardB = new PostgresServer("outage-b", TestInfrastructure.postgresBinaries(), dir.resolve("b"), Ports.freePort(),
                false).start();
        app = TestApp.on(TestInfrastructure.shared().bootstrapServers(), List.of(shardA.jdbcUrl(), shardB.jdbcUrl()),
                TestApp.newNamespace()).start();
    }

    @AfterAll
    static void stop() {
        app.stop();
        shardA.stop();
        shardB.stop();
    }

    @Test
    void killedShardIsUsedAgainAfterItsRestartWhileTheOtherKeptServing() throws Exception {
        shardB.kill();
        long killedAt = System.nanoTime();

        List<Load.Sent> sent = Load.post(provider, app.url("/webhooks/payments/orders"), EVENTS, 8,
                i -> Webhooks.order("evt-" + app.namespace() + "-" + i, "user-" + (i % 500), "order-" + i, "paid",
                        100 + i, "2026-11-20T10:00:00Z"));
        assertThat(sent).allSatisfy(s -> assertThat(s.status()).isEqualTo(202));
        long onA = countRoutedTo("shard-a");
        long onB = EVENTS - onA;

        // While shard-b is down, every event whose user lives on shard-a lands if its order's directory entry does
        // too: an order is claimed in the directory before it is written (the two stand or fall together).
        long wholeOnA = countWhollyOn("shard-a");
        await().atMost(Duration.ofSeconds(30)).until(() -> ShardSql.count(shardA.jdbcUrl(),
                "SELECT count(*) FROM order_events") == wholeOnA);
        HttpResponse<String> health = provider.get(app.adminUrl("/healthcheck"));
        assertThat(health.statusCode()).isEqualTo(500);
        JsonNode checks = JSON.readTree(health.body());
        assertThat(checks.get("shards.shard-b").get("healthy").asBoolean()).isFalse();
        assertThat(checks.get("shards.shard-a").get("healthy").asBoolean()).isTrue();

        Thread.sleep(Math.max(0, Duration.ofSeconds(30).minusNanos(System.nanoTime() - killedAt).toMillis()));
        shardB.start();

        await().atMost(Duration.ofSeconds(60)).until(() -> ShardSql.count(shardB.jdbcUrl(),
                "SELECT count(*) FROM order_events") == onB);
        await().atMost(Duration.ofSeconds(30)).until(() -> provider.get(app.adminUrl("/healthcheck")).statusCode() == 200);
        await().atMost(Duration.ofSeconds(30)).until(() -> directoryEntries() == EVENTS);
        assertThat(ShardSql.count(shardA.jdbcUrl(), "SELECT count(DISTINCT provider_event_id) FROM order_events"))
                .isEqualTo(onA);
        assertThat(ShardSql.count(shardB.jdbcUrl(), "SELECT count(DISTINCT provider_event_id) FROM order_events"))
                .isEqualTo(onB);
        assertThat(ShardSql.count(shardA.jdbcUrl(), "SELECT count(*) FROM order_events")
                + ShardSql.count(shardB.jdbcUrl(), "SELECT count(*) FROM order_events")).isEqualTo(EVENTS);
        assertThat(Topics.recordCount(app.bootstrapServers(), app.ordersTopic() + ".dlq")).isZero();
    }

    /**
     * A hung shard (every process SIGSTOPped: a stalled disk, a frozen VM) is reported unhealthy alone, however often
     * the health checks run while it hangs; once it is known to hang its check answers at once. Dropwizard's own
     * check ran every shard's query on one pool of four threads, which the hung shard's queries held until their
     * socket timeout: the healthy shard's check then timed out too.
     */
    @Test
    void aHungShardIsReportedUnhealthyAloneHoweverOftenTheChecksRun() throws Exception {
        await().atMost(Duration.ofSeconds(60)).until(() -> provider.get(app.adminUrl("/healthcheck")).statusCode() == 200);
        shardB.suspend();
        try {
            for (int run = 1; run <= 6; run++) {
                JsonNode checks = JSON.readTree(provider.get(app.adminUrl("/healthcheck")).body());
                assertThat(checks.get("shards.shard-a").get("healthy").asBoolean()).as("shard-a, run " + run)
                        .isTrue();
                assertThat(checks.get("shards.shard-b").get("healthy").asBoolean()).as("shard-b, run " + run)
                        .isFalse();
                if (run > 1) {
                    assertThat(checks.get("shards.shard-b").get("message").asText())
                            .contains("last health query has not returned");
                }
            }
        } finally {
            shardB.resume();
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> provider.get(app.adminUrl("/healthcheck")).statusCode() == 200);
    }

    private long countWhollyOn(String shard) {
        long count = 0;
        for (int i = 0; i < EVENTS; i++) {
            if (app.configuration().getShards().router().shardOf("user-" + (i % 500)).equals(shard)
                    && app.configuration().getShards().router().shardOf("order-" + i).equals(shard)) {
                count++;
            }
        }
        return count;
    }

    private long countRoutedTo(String shard) {
        long count = 0;
        for (int i = 0; i < EVENTS; i++) {
            if (app.configuration().getShards().router().shardOf("user-" + (i % 500)).equals(shard)) {
                count++;
            }
        }
        return count;
    }

    private long directoryEntries() {
        return ShardSql.count(shardA.jdbcUrl(), "SELECT count(*) FROM order_directory")
                + ShardSql.count(shardB.jdbcUrl(), "SELECT count(*) FROM order_directory");
    }
}
