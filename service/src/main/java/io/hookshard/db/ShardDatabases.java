package io.hookshard.db;

import org.jdbi.v3.core.Jdbi;

import java.util.List;
import java.util.Map;

import static com.google.common.base.Preconditions.checkArgument;

/** Shard id -> its Jdbi, and nothing else: the only place that knows which database a shard id means. */
public final class ShardDatabases {
    private final Map<String, Jdbi> jdbis;
    private final List<String> shardIds;

    /** @param jdbis in the order of config.yml */
    public ShardDatabases(Map<String, Jdbi> jdbis) {
        this.jdbis = Map.copyOf(jdbis);
        this.shardIds = List.copyOf(jdbis.keySet());
    }

    public List<String> shardIds() {
        return shardIds;
    }

    public Jdbi jdbi(String shardId) {
        Jdbi jdbi = jdbis.get(shardId);
        checkArgument(jdbi != null, "unknown shard %s", shardId);
        return jdbi;
    }
}
