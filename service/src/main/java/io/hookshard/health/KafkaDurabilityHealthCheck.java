package io.hookshard.health;

import com.codahale.metrics.health.HealthCheck;
import io.hookshard.kafka.TopicDurability;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Warns when the broker keeps the service's topics with fewer replicas, or a lower min.insync.replicas, than
 * {@code kafka.topics.warnBelow*} expects, naming the topics and the values in force. Non-critical: the service works
 * and answers 202 as before, only a broker failure could now lose accepted webhooks, which is a deployment decision
 * and no reason to take the instance out of service; so the result stays healthy and carries {@code warning: true}.
 */
public final class KafkaDurabilityHealthCheck extends HealthCheck {
    private final TopicDurability durability;

    public KafkaDurabilityHealthCheck(TopicDurability durability) {
        this.durability = durability;
    }

    @Override
    protected Result check() throws InterruptedException {
        List<TopicDurability.Shortfall> shortfalls;
        try {
            shortfalls = durability.shortfalls();
        } catch (ExecutionException | TimeoutException e) {
            // The "kafka" check reports an unreachable cluster; this one only says it could not tell.
            return Result.builder().healthy().withMessage("WARNING: could not read the topics' durability: %s", e)
                    .withDetail("warning", true).build();
        }
        if (!shortfalls.isEmpty()) {
            return Result.builder().healthy()
                    .withMessage("WARNING: %d of %d topic(s) below %s: %s", shortfalls.size(), durability.topicCount(),
                            durability.expectation(), shortfalls)
                    .withDetail("warning", true).withDetail("below", shortfalls.stream().map(Object::toString).toList())
                    .build();
        }
        return Result.builder().healthy().withMessage("%d topic(s) at %s or more", durability.topicCount(),
                durability.expectation()).withDetail("warning", false).build();
    }
}
