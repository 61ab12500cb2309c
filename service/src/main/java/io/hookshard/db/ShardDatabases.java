package io.hookshard.db;

import io.hookshard.router.ShardRouter;
import org.jdbi.v3.core.Jdbi;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static com.google.common.base.Preconditions.checkArgument;

/** The adapter from shard id to its Jdbi: the only place that knows which database a shard id means. */
public final class ShardDatabases {
    private final ShardRouter router;
    private final Map<String, Jdbi> jdbis;

    public ShardDatabases(ShardRouter router, Map<String, Jdbi> jdbis) {
        checkArgument(jdbis.keySet().equals(Set.copyOf(router.bucketMap().shardIds())),
                "databases %s do not match the shards of the bucket map %s", jdbis.keySet(),
                router.bucketMap().shardIds());
        this.router = router;
        this.jdbis = Map.copyOf(jdbis);
    }

    public ShardRouter router() {
        return router;
    }

    public List<String> shardIds() {
        return router.bucketMap().shardIds();
    }

    public Jdbi jdbi(String shardId) {
        Jdbi jdbi = jdbis.get(shardId);
        checkArgument(jdbi != null, "unknown shard %s", shardId);
        return jdbi;
    }

    /** The shard that owns {@code key}. */
    public String shardOf(String key) {
        return router.shardOf(key);
    }
}
