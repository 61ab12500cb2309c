package io.hookshard.db;

import io.dropwizard.lifecycle.Managed;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Ensures partitions (and applies retention, when set) at startup and then on a schedule, daily by default. */
public final class PartitionMaintenance implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionMaintenance.class);

    private final PartitionManager partitions;
    private final ScheduledExecutorService scheduler;
    private final int monthsAhead;
    private final int retentionMonths;
    private final Duration interval;
    private final Duration inboxRetention;

    /**
     * @param retentionMonths months of partitions to keep before the current one; 0 keeps everything
     * @param inboxRetention  how long the inbox remembers an admitted event; zero keeps every row
     */
    public PartitionMaintenance(PartitionManager partitions, ScheduledExecutorService scheduler, int monthsAhead,
                                int retentionMonths, Duration inboxRetention, Duration interval) {
        this.inboxRetention = inboxRetention;
        this.partitions = partitions;
        this.scheduler = scheduler;
        this.monthsAhead = monthsAhead;
        this.retentionMonths = retentionMonths;
        this.interval = interval;
    }

    @Override
    public void start() {
        // A shard that is down now is retried on schedule; inserts never wait for it (DEFAULT takes them).
        runOnce();
        scheduler.scheduleWithFixedDelay(this::runOnce, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    public void runOnce() {
        try {
            report("ensure", partitions.ensure(monthsAhead, LOG::debug));
            if (retentionMonths > 0) {
                report("retention", partitions.dropOlderThan(retentionMonths, LOG::info));
            }
            if (!inboxRetention.isZero()) {
                partitions.trimInbox(inboxRetention, LOG::info);
            }
        } catch (RuntimeException e) {
            LOG.error("partition maintenance failed", e);
        }
    }

    private static void report(String what, List<PartitionManager.Report> reports) {
        for (PartitionManager.Report report : reports) {
            if (report.failed()) {
                LOG.error("partition {} failed on {}: {}; will retry on schedule", what, report.shardId(),
                        report.failure());
            } else if (!report.created().isEmpty() || !report.dropped().isEmpty()) {
                LOG.info("partition {} on {}: created {}, dropped {}", what, report.shardId(), report.created(),
                        report.dropped());
            }
        }
    }
}
