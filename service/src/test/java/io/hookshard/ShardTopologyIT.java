package io.hookshard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookshard.support.ShardSql;
import io.hookshard.support.TestApp;
import io.hookshard.support.TestInfrastructure;
import io.hookshard.support.Webhooks;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Changing config.yml's shards: what the bucket interlock refuses, and what it lets through. */
class ShardTopologyIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Webhooks provider = new Webhooks(TestApp.SECRET);

    @Test
    void aConfigWithOtherBucketRangesCannotSplitAUserAcrossShards() throws Exception {
        TestApp original = TestApp.onSharedInfrastructure();
        String user = Webhooks.randomId("user");
        String home;
        try (TestApp running = original.start()) {
            post(running, user);
            home = running.shardUrlOf(user);
        }

        // A rolling deploy with swapped ranges: the map in force lives in the catalog, config.yml only seeded it.
        try (TestApp swapped = original.sibling().withConfig("test-config-swapped-buckets.yml").start()) {
            assertThat(provider.get(swapped.url("/users/" + user + "/orders")).body()).contains(user);
            post(swapped, user);
        }
        assertThat(ShardSql.count(home, "SELECT count(*) FROM orders WHERE user_id = ?", user)).isEqualTo(2);
        for (String shard : original.shardUrls()) {
            if (!shard.equals(home)) {
                assertThat(ShardSql.count(shard, "SELECT count(*) FROM orders WHERE user_id = ?", user)).isZero();
            }
        }
    }

    @Test
    void refusesADatabaseRecordedAsAnotherShard() throws Exception {
        TestApp original = TestApp.onSharedInfrastructure();
        try (TestApp running = original.start()) {
            post(running, Webhooks.randomId("user"));
        }
        List<String> crossed = List.of(original.shardUrls().get(1), original.shardUrls().get(0));

        assertThatThrownBy(() -> original.withShards(crossed).start())
                .hasStackTraceContaining("the database configured as shard-a was recorded as shard-b");
    }

    @Test
    void acceptsANewShardThatOwnsNoBucketsAndKeepsItEmptyAndHealthy() throws Exception {
        TestApp original = TestApp.onSharedInfrastructure();
        try (TestApp running = original.start()) {
            post(running, Webhooks.randomId("user"));
        }
        List<String> three = new ArrayList<>(original.shardUrls());
        three.add(TestInfrastructure.freshDatabase(TestInfrastructure.shared().shards().get(0)));

        try (TestApp grown = original.withShards(three).withConfig("test-config-new-shard.yml").start()) {
            for (int i = 0; i < 20; i++) {
                post(grown, Webhooks.randomId("user"));
            }
            JsonNode health = JSON.readTree(provider.get(grown.adminUrl("/healthcheck")).body());
            assertThat(health.get("shards.shard-c").get("healthy").asBoolean()).isTrue();
            assertThat(ShardSql.count(three.get(2), "SELECT count(*) FROM orders")).isZero();
            assertThat(ShardSql.count(three.get(2), "SELECT count(*) FROM order_directory")).isZero();
            assertThat(ShardSql.string(three.get(2), "SELECT shard_id || ' ' || buckets FROM shard_identity"))
                    .isEqualTo("shard-c []");
            assertThat(ShardSql.string(three.get(0), "SELECT buckets FROM shard_identity")).isEqualTo("[0-511]");
        }
    }

    private void post(TestApp app, String user) throws Exception {
        String order = Webhooks.randomId("order");
        assertThat(provider.post(app.url("/webhooks/payments/orders"), Webhooks.order(Webhooks.randomId("evt"), user,
                order, "paid", 100, "2026-11-20T10:00:00Z")).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> provider.get(app.url("/orders/" + order)).statusCode() == 200);
    }
}
