package io.hookshard.health;

import com.codahale.metrics.health.HealthCheck;
import io.hookshard.outbox.RelayStatus;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Warns when a shard's oldest unpublished downstream event is older than the threshold, or its relay fails (the shard
 * or the broker unreachable) since its last good measurement, naming those shards. Non-critical, like consumer-lag: an instance whose relay
 * is behind still serves, and the events wait in the outbox, so the result stays healthy with {@code warning: true}.
 */
public final class OutboxLagHealthCheck extends HealthCheck {
    private final List<RelayStatus> relays;
    private final Duration threshold;

    public OutboxLagHealthCheck(List<RelayStatus> relays, Duration threshold) {
        this.relays = List.copyOf(relays);
        this.threshold = threshold;
    }

    @Override
    protected Result check() {
        Map<String, Object> shards = new LinkedHashMap<>();
        Map<String, String> behind = new LinkedHashMap<>();
        for (RelayStatus relay : relays) {
            RelayStatus.Snapshot snapshot = relay.snapshot();
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("unpublished", snapshot.unpublished());
            detail.put("oldest_age_seconds", Math.round(snapshot.oldestAgeSeconds() * 1000) / 1000.0);
            detail.put("publishing_here", snapshot.active());
            if (snapshot.error() != null) {
                detail.put("error", snapshot.error());
            }
            shards.put(snapshot.shardId(), detail);
            if (snapshot.error() != null) {
                behind.put(snapshot.shardId(), "relay failing: " + snapshot.error());
            } else if (snapshot.oldestAgeSeconds() * 1000 > threshold.toMillis()) {
                behind.put(snapshot.shardId(), snapshot.unpublished() + " unpublished, oldest "
                        + Math.round(snapshot.oldestAgeSeconds()) + " s");
            }
        }
        if (!behind.isEmpty()) {
            return Result.builder().healthy().withMessage("WARNING: downstream events behind by more than %s on %s",
                    threshold, behind).withDetail("warning", true).withDetail("shards", shards).build();
        }
        return Result.builder().healthy().withMessage("downstream events at most %s behind on %d shard(s)", threshold,
                relays.size()).withDetail("warning", false).withDetail("shards", shards).build();
    }
}
