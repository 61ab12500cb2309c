package io.hookshard.db;

import io.dropwizard.lifecycle.Managed;
import io.hookshard.router.BucketFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.Writer;
import java.util.Map;

/**
 * Migrates every shard at startup (when configured), before anything reads or writes them. A shard that fails
 * stops the start with an error naming it; shards already migrated stay consistent (each changeset is atomic).
 */
public final class ShardMigrations implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(ShardMigrations.class);

    private final Map<String, ? extends DataSource> dataSources;
    private final BucketFunction buckets;

    public ShardMigrations(Map<String, ? extends DataSource> dataSources, BucketFunction buckets) {
        this.buckets = buckets;
        this.dataSources = dataSources;
    }

    @Override
    public void start() throws Exception {
        for (Map.Entry<String, ? extends DataSource> shard : dataSources.entrySet()) {
            try {
                ShardMigrator.migrate(shard.getValue(), false, Writer.nullWriter(), buckets);
                LOG.info("shard {} is migrated", shard.getKey());
            } catch (Exception e) {
                throw new IllegalStateException("migration of shard " + shard.getKey() + " failed: " + e.getMessage(), e);
            }
        }
    }
}
