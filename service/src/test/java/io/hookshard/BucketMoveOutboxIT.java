package io.hookshard;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookshard.router.BucketFunction;
import io.hookshard.support.DownstreamEvents;
import io.hookshard.support.ShardSql;
import io.hookshard.support.TestApp;
import io.hookshard.support.Webhooks;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static io.hookshard.BucketMoveKillIT.CONFIG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Outbox rows are not copied by a move: the source publishes a moving bucket's changes made before the switch and the
 * target those after it. So the switch waits for the source's relay, or an order's later state could be published by
 * the target before its earlier one is by the source.
 */
class BucketMoveOutboxIT {
    /** The relay's lock on a shard database ("hookshrd"): whoever holds it is the shard's one relay. */
    private static final long RELAY_LOCK = 0x686f6f6b73687264L;

    private final Webhooks provider = new Webhooks(TestApp.SECRET);

    @Test
    void aMoveSwitchesOnlyOnceTheSourceHasPublishedTheMovingBucketsDownstreamEvents() throws Exception {
        List<String> shards = BucketMoveKillIT.freshShards();
        try (Handle relayLock = Jdbi.create(shards.get(0), "postgres", "").open()) {
            // Taken before the service starts, so shard-a's relay stands by until the test lets it publish.
            assertThat(relayLock.createQuery("SELECT pg_try_advisory_lock(:key)").bind("key", RELAY_LOCK)
                    .mapTo(Boolean.class).one()).isTrue();
            TestApp app = TestApp.onSharedInfrastructure().withShards(shards).withConfig(CONFIG).start();
            try {
                BucketFunction buckets = new BucketFunction(BucketFunction.DEFAULT_BUCKETS);
                String user = IntStream.range(0, 10_000).mapToObj(i -> "user-" + app.namespace() + "-" + i)
                        .filter(candidate -> buckets.bucketOf(candidate) < 256).findFirst().orElseThrow();
                String order = "order-" + app.namespace();
                assertThat(provider.post(app.url("/webhooks/payments/orders"), Webhooks.order("evt-" + order + "-1",
                        user, order, "paid", 1999, "2026-11-20T10:00:00Z")).statusCode()).isEqualTo(202);
                await().atMost(Duration.ofSeconds(30)).until(() -> ShardSql.count(shards.get(0),
                        "SELECT count(*) FROM outbox WHERE aggregateid = ?", order) == 1);

                CompletableFuture<String> move = CompletableFuture.supplyAsync(() ->
                        task(app, "buckets-move?buckets=0-255&to=shard-c"));
                await().atMost(Duration.ofSeconds(30)).until(() -> ShardSql.count(shards.get(0),
                        "SELECT count(*) FROM bucket_ownership WHERE state = 'frozen'") > 0);
                assertThat(provider.post(app.url("/webhooks/payments/orders"), Webhooks.order("evt-" + order + "-2",
                        user, order, "refunded", 1999, "2026-11-20T10:05:00Z")).statusCode()).isEqualTo(202);
                Thread.sleep(2_000);
                assertThat(move).as("the move waits for shard-a's relay").isNotDone();

                relayLock.createQuery("SELECT pg_advisory_unlock(:key)").bind("key", RELAY_LOCK)
                        .mapTo(Boolean.class).one();
                assertThat(move.get(60, TimeUnit.SECONDS)).contains("switched: buckets [0-255] are on shard-c");
                await().atMost(Duration.ofSeconds(30)).until(() -> ShardSql.count(shards.get(2),
                        "SELECT count(*) FROM outbox WHERE aggregateid = ? AND published_at IS NOT NULL", order) == 1);

                List<JsonNode> published = DownstreamEvents.byKey(DownstreamEvents.readAll(app.bootstrapServers(),
                        app.eventsTopic())).get(order).stream().map(DownstreamEvents.Published::event).toList();
                assertThat(published).extracting(event -> event.get("source").asText())
                        .containsExactly("hookshard/shard-a", "hookshard/shard-c");
                assertThat(published).extracting(event -> event.get("data").get("status").asText())
                        .containsExactly("paid", "refunded");
                assertThat(published.get(1).get("data").get("previous_status").asText()).isEqualTo("paid");
            } finally {
                app.stop();
            }
        }
    }

    private String task(TestApp app, String pathAndQuery) {
        try {
            HttpResponse<String> response = provider.send(HttpRequest.newBuilder(app.adminUrl("/tasks/"
                    + pathAndQuery)).POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofMinutes(3)).build());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            return response.body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
