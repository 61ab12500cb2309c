package io.hookshard.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.db.ManagedDataSource;
import io.dropwizard.jdbi3.JdbiFactory;
import io.dropwizard.validation.ValidationMethod;
import io.hookshard.db.PartitionMaintenance;
import io.hookshard.db.PartitionManager;
import io.hookshard.db.ShardDatabases;
import io.hookshard.health.ShardHealthCheck;
import io.hookshard.routing.BucketMapFollower;
import io.hookshard.routing.Catalog;
import io.hookshard.routing.MapBootstrap;
import io.hookshard.routing.Routing;
import io.hookshard.db.ShardMigrations;
import io.hookshard.router.BucketFunction;
import io.hookshard.router.BucketMap;
import io.hookshard.router.BucketRange;
import io.hookshard.router.ShardRouter;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The shards of config.yml: each a PostgreSQL primary with its own pool and health check, and the bucket map that
 * says which shard owns which bucket. Ops add a shard by adding an entry here.
 */
public class ShardsFactory {
    private static final Logger LOG = LoggerFactory.getLogger(ShardsFactory.class);

    private int buckets = BucketFunction.DEFAULT_BUCKETS;

    /** Apply the shard changelog to every shard at startup (dev mode); otherwise run "shards migrate". */
    private boolean migrateOnStart = false;

    @Valid
    @NotEmpty
    private List<ShardFactory> shards = List.of();

    @Valid
    @NotNull
    private PartitionsFactory partitions = new PartitionsFactory();

    /** How often every instance looks for a newer bucket map in the catalog (a bucket move publishes one). */
    @NotNull
    @io.dropwizard.validation.MinDuration(value = 10, unit = java.util.concurrent.TimeUnit.MILLISECONDS)
    private io.dropwizard.util.Duration mapRefreshInterval = io.dropwizard.util.Duration.seconds(1);

    @JsonProperty
    public io.dropwizard.util.Duration getMapRefreshInterval() {
        return mapRefreshInterval;
    }

    @JsonProperty
    public void setMapRefreshInterval(io.dropwizard.util.Duration mapRefreshInterval) {
        this.mapRefreshInterval = mapRefreshInterval;
    }

    /**
     * How many stored events one step of a bucket move carries at most: a move goes in steps, each frozen and
     * verified on its own, so that the freeze stays short however many events the buckets hold.
     */
    @Min(1)
    private long moveStepEvents = io.hookshard.move.BucketMover.DEFAULT_STEP_EVENTS;

    @JsonProperty
    public long getMoveStepEvents() {
        return moveStepEvents;
    }

    @JsonProperty
    public void setMoveStepEvents(long moveStepEvents) {
        this.moveStepEvents = moveStepEvents;
    }

    /** The shard that holds the catalog (every version of the bucket map, and the moves): the first listed. */
    @JsonIgnore
    public String catalogShardId() {
        return shards.get(0).getId();
    }

    @JsonProperty
    public int getBuckets() {
        return buckets;
    }

    @JsonProperty
    public void setBuckets(int buckets) {
        this.buckets = buckets;
    }

    @JsonProperty
    public boolean isMigrateOnStart() {
        return migrateOnStart;
    }

    @JsonProperty
    public void setMigrateOnStart(boolean migrateOnStart) {
        this.migrateOnStart = migrateOnStart;
    }

    @JsonProperty
    public List<ShardFactory> getShards() {
        return shards;
    }

    @JsonProperty
    public void setShards(List<ShardFactory> shards) {
        this.shards = shards;
    }

    @JsonProperty
    public PartitionsFactory getPartitions() {
        return partitions;
    }

    @JsonProperty
    public void setPartitions(PartitionsFactory partitions) {
        this.partitions = partitions;
    }

    @JsonIgnore
    @ValidationMethod(message = "shard ids must be unique")
    public boolean isEveryShardIdUnique() {
        Set<String> seen = new HashSet<>();
        return shards.stream().allMatch(shard -> shard.getId() == null || seen.add(shard.getId()));
    }

    @JsonIgnore
    @ValidationMethod(message = "either every shard lists its buckets (an empty list for a new shard) or none does")
    public boolean isBucketListingConsistent() {
        long listed = shards.stream().filter(shard -> shard.getBuckets() != null).count();
        return listed == 0 || listed == shards.size();
    }

    @JsonIgnore
    @ValidationMethod(message = "the bucket ranges must give every bucket to exactly one shard, within 0..buckets-1,"
            + " and buckets must be a power of two")
    public boolean isBucketMapValid() {
        try {
            bucketMap();
            return true;
        } catch (IllegalArgumentException e) {
            LOG.error("invalid shard configuration: {}", e.getMessage());
            return false;
        }
    }

    /** The bucket -> shard table in force: explicit ranges, or an even split in list order. */
    public BucketMap bucketMap() {
        new BucketFunction(buckets);
        List<String> ids = shards.stream().map(ShardFactory::getId).toList();
        if (shards.stream().allMatch(shard -> shard.getBuckets() == null)) {
            return BucketMap.evenSplit(buckets, ids);
        }
        Map<String, List<BucketRange>> ranges = new LinkedHashMap<>();
        for (ShardFactory shard : shards) {
            List<String> listed = shard.getBuckets() == null ? List.of() : shard.getBuckets();
            ranges.put(shard.getId(), listed.stream().map(BucketRange::parse).toList());
        }
        return BucketMap.of(buckets, ranges);
    }

    public ShardRouter router() {
        return new ShardRouter(new BucketFunction(buckets), bucketMap());
    }

    /** The shards of one service instance: their databases, who owns which key, and their event partitions. */
    public record Shards(ShardDatabases databases, Routing routing, Catalog catalog, PartitionManager partitions) {
    }

    /**
     * One pool, Jdbi, health check ("shards.&lt;id&gt;") and metric set per shard, managed by the environment. At
     * start, in this order: migrations (with {@code migrateOnStart}), the bucket interlock (which refuses to start on
     * a bucket map that contradicts the shards' data), then partition maintenance (again daily).
     */
    public Shards build(Environment environment) {
        JdbiFactory jdbiFactory = new JdbiFactory();
        Map<String, ManagedDataSource> dataSources = new LinkedHashMap<>();
        Map<String, Jdbi> jdbis = new LinkedHashMap<>();
        for (ShardFactory shard : shards) {
            String name = "shards." + shard.getId();
            ManagedDataSource dataSource = shard.getDatabase().build(environment.metrics(), name);
            dataSources.put(shard.getId(), dataSource);
            Jdbi jdbi = jdbiFactory.build(environment, shard.getDatabase(), dataSource, name);
            jdbis.put(shard.getId(), jdbi);
            // Replaces the check JdbiFactory registered under the same name: see ShardHealthCheck.
            environment.healthChecks().unregister(name);
            environment.healthChecks().register(name, new ShardHealthCheck(jdbi,
                    shard.getDatabase().getValidationQuery().orElse("SELECT 1"),
                    shard.getDatabase().getValidationQueryTimeout().map(d -> java.time.Duration.ofMillis(
                            d.toMilliseconds())).orElse(java.time.Duration.ofSeconds(5)),
                    environment.lifecycle().executorService("shard-health-" + shard.getId()).minThreads(1)
                            .maxThreads(1).build()));
        }
        if (migrateOnStart) {
            environment.lifecycle().manage(new ShardMigrations(dataSources, new BucketFunction(buckets)));
        }
        BucketMap map = bucketMap();
        LOG.info("bucket allocation of config.yml over {} buckets: {}", buckets, map.describe());
        ShardDatabases databases = new ShardDatabases(jdbis);
        Routing routing = new Routing(new BucketFunction(buckets), map);
        Catalog catalog = new Catalog(jdbis.get(catalogShardId()), catalogShardId());
        environment.lifecycle().manage(new MapBootstrap(databases, catalog, routing, map));
        environment.lifecycle().manage(new BucketMapFollower(catalog, routing,
                environment.lifecycle().scheduledExecutorService("bucket-map-follower").threads(1).build(),
                java.time.Duration.ofMillis(mapRefreshInterval.toMilliseconds())));
        PartitionManager partitionManager = new PartitionManager(databases, Clock.systemUTC());
        ScheduledExecutorService scheduler = environment.lifecycle().scheduledExecutorService("partition-maintenance")
                .threads(1).build();
        environment.lifecycle().manage(new PartitionMaintenance(partitionManager, scheduler,
                partitions.getMonthsAhead(), partitions.getRetentionMonths(),
                java.time.Duration.ofMillis(partitions.getInboxRetention().toMilliseconds()),
                java.time.Duration.ofMillis(partitions.getMaintenanceInterval().toMilliseconds())));
        return new Shards(databases, routing, catalog, partitionManager);
    }
}
