package io.hookshard.router;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ShardRouterTest {
    private final ShardRouter router = new ShardRouter(new BucketFunction(1024),
            BucketMap.evenSplit(1024, List.of("shard-a", "shard-b")));

    @Test
    void routesSameUserToSameShard() {
        ShardRouter another = new ShardRouter(new BucketFunction(1024),
                BucketMap.evenSplit(1024, List.of("shard-a", "shard-b")));

        IntStream.range(0, 1000).mapToObj(i -> "user-" + i)
                .forEach(user -> assertThat(another.route(user)).isEqualTo(router.route(user)));
    }

    @Test
    void routesThroughTheBucketOwner() {
        Route route = router.route("user-1");

        assertThat(route.bucket()).isEqualTo(new BucketFunction(1024).bucketOf("user-1"));
        assertThat(route.shardId()).isEqualTo(route.bucket() < 512 ? "shard-a" : "shard-b");
        assertThat(router.shardOf("user-1")).isEqualTo(route.shardId());
    }

    @Test
    void pinsShardsOfKnownUsers() {
        assertThat(router.shardOf("user-1")).isEqualTo(GOLDEN_SHARD_USER_1);
        assertThat(router.shardOf("user-2")).isEqualTo(GOLDEN_SHARD_USER_2);
        assertThat(router.shardOf("u_42")).isEqualTo(GOLDEN_SHARD_U_42);
    }

    @Test
    void spreadsUsersOverBothShards() {
        Map<String, Long> perShard = IntStream.range(0, 100_000).mapToObj(i -> router.shardOf("user-" + i))
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));

        assertThat(perShard.get("shard-a")).isBetween(48_000L, 52_000L);
        assertThat(perShard.get("shard-b")).isBetween(48_000L, 52_000L);
    }

    @Test
    void refusesABucketMapOfAnotherSize() {
        assertThatThrownBy(() -> new ShardRouter(new BucketFunction(512), BucketMap.evenSplit(1024, List.of("a"))))
                .hasMessageContaining("512").hasMessageContaining("1024");
    }

    private static final String GOLDEN_SHARD_USER_1 = "shard-b";
    private static final String GOLDEN_SHARD_USER_2 = "shard-b";
    private static final String GOLDEN_SHARD_U_42 = "shard-a";
}
