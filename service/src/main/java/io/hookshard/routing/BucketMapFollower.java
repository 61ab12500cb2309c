package io.hookshard.routing;

import io.dropwizard.lifecycle.Managed;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps this instance on the newest bucket map: reads the catalog's latest version every interval and installs a
 * newer map. A write routed by an older map is refused by the shard that no longer owns its buckets and retried, so a
 * late refresh costs a delay, never a misplaced row.
 */
public final class BucketMapFollower implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(BucketMapFollower.class);

    private final Catalog catalog;
    private final Routing routing;
    private final ScheduledExecutorService scheduler;
    private final Duration interval;
    private volatile boolean warned;

    public BucketMapFollower(Catalog catalog, Routing routing, ScheduledExecutorService scheduler, Duration interval) {
        this.catalog = catalog;
        this.routing = routing;
        this.scheduler = scheduler;
        this.interval = interval;
    }

    @Override
    public void start() {
        scheduler.scheduleWithFixedDelay(this::refresh, interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Installs the catalog's newest map if it is newer than the one in use. */
    public void refresh() {
        try {
            if (catalog.latestVersion() > routing.version()) {
                catalog.latest().ifPresent(latest -> {
                    if (routing.install(latest.version(), latest.map())) {
                        LOG.info("bucket map version {} in force: {}", latest.version(), latest.map().describe());
                    }
                });
            }
            warned = false;
        } catch (RuntimeException e) {
            if (!warned) {
                LOG.warn("cannot read the bucket map from catalog shard {}; routing stays on version {}: {}",
                        catalog.shardId(), routing.version(), e.toString());
                warned = true;
            }
        }
    }
}
