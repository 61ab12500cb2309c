package io.hookshard.outbox;

import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one shard's relay on this instance knows, for metrics and the outbox-lag health check. Written by the relay's
 * thread, read by any.
 */
public final class RelayStatus {
    private final String shardId;
    private final LongAdder published = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private volatile OutboxRows.Backlog backlog;
    private volatile long measuredAtNanos;
    private volatile boolean active;
    private volatile String error;

    RelayStatus(String shardId) {
        this.shardId = shardId;
    }

    /** The backlog as last measured; the oldest row's age grows with the time since, as nothing was published. */
    public record Snapshot(String shardId, boolean measured, long unpublished, double oldestAgeSeconds,
                           boolean active, String error) {
    }

    public Snapshot snapshot() {
        OutboxRows.Backlog last = backlog;
        if (last == null) {
            return new Snapshot(shardId, false, 0, 0, active, error);
        }
        double since = last.unpublished() == 0 ? 0 : (System.nanoTime() - measuredAtNanos) / 1e9;
        return new Snapshot(shardId, true, last.unpublished(), last.oldestAgeSeconds() + since, active, error);
    }

    public String shardId() {
        return shardId;
    }

    public long published() {
        return published.sum();
    }

    public long failures() {
        return failures.sum();
    }

    /** Whether this instance's relay holds the shard's lock, so is the one publishing. */
    public boolean active() {
        return active;
    }

    void measured(OutboxRows.Backlog backlog) {
        this.measuredAtNanos = System.nanoTime();
        this.backlog = backlog;
        this.error = null;
    }

    boolean measuredWithin(Duration interval) {
        return backlog != null && System.nanoTime() - measuredAtNanos < interval.toNanos();
    }

    void active(boolean active) {
        this.active = active;
    }

    void published(int rows) {
        published.add(rows);
    }

    void failed(Exception cause) {
        failures.increment();
        this.error = cause.toString();
    }
}
