package io.hookshard.health;

import com.codahale.metrics.health.HealthCheck;
import io.hookshard.consume.ConsumerPool;

import java.util.List;

/** Unhealthy while any consumer worker is down (failed, waiting to be restarted); names each, why and since when. */
public final class ConsumerWorkersHealthCheck extends HealthCheck {
    private final ConsumerPool pool;

    public ConsumerWorkersHealthCheck(ConsumerPool pool) {
        this.pool = pool;
    }

    @Override
    protected Result check() {
        List<ConsumerPool.SlotStatus> slots = pool.slots();
        List<String> down = slots.stream().filter(ConsumerPool.SlotStatus::down)
                .map(slot -> slot.name() + " down since " + slot.downSince() + " (restarts: " + slot.restarts()
                        + "): " + slot.cause())
                .toList();
        if (!down.isEmpty()) {
            return Result.unhealthy("worker(s) down, restarting: %s", down);
        }
        return Result.healthy("%d worker(s) running%s", slots.size(),
                slots.stream().anyMatch(slot -> slot.restarts() > 0) ? ", restarts: " + slots.stream()
                        .filter(slot -> slot.restarts() > 0).map(slot -> slot.name() + "=" + slot.restarts()).toList()
                        : "");
    }
}
