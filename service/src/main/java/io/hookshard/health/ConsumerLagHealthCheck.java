package io.hookshard.health;

import com.codahale.metrics.health.HealthCheck;
import io.hookshard.consume.LagTracker;

import java.util.Map;
import java.util.stream.Collectors;

/**
 * Warns when a partition this instance consumes trails its log end by more than the threshold, naming those
 * partitions. Non-critical: lag is no reason to take an instance out of service (a paused consumer or a burst lags
 * while healthy), so the result stays healthy and carries {@code warning: true}; alert on the lag gauges instead.
 */
public final class ConsumerLagHealthCheck extends HealthCheck {
    private final LagTracker lag;
    private final long threshold;

    public ConsumerLagHealthCheck(LagTracker lag, long threshold) {
        this.lag = lag;
        this.threshold = threshold;
    }

    @Override
    protected Result check() {
        Map<String, Long> snapshot = lag.snapshot();
        Map<String, Long> behind = snapshot.entrySet().stream().filter(entry -> entry.getValue() > threshold)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a,
                        java.util.TreeMap::new));
        if (!behind.isEmpty()) {
            return Result.builder().healthy().withMessage("WARNING: lag above %d on %s", threshold, behind.keySet())
                    .withDetail("warning", true).withDetail("lag", behind).build();
        }
        return Result.builder().healthy().withMessage("lag at most %d on %d partition(s)", threshold, snapshot.size())
                .withDetail("warning", false).withDetail("lag", snapshot).build();
    }
}
