package io.hookshard.health;

import com.codahale.metrics.health.HealthCheck;
import io.hookshard.kafka.ConsumerWorker;

import java.util.List;

/** Unhealthy when any consumer worker has died; names the workers and why. */
public final class ConsumerWorkersHealthCheck extends HealthCheck {
    private final List<ConsumerWorker> workers;

    public ConsumerWorkersHealthCheck(List<ConsumerWorker> workers) {
        this.workers = workers;
    }

    @Override
    protected Result check() {
        List<String> failed = workers.stream()
                .filter(worker -> worker.state() == ConsumerWorker.State.FAILED)
                .map(worker -> worker.name() + ": " + worker.failure())
                .toList();
        if (!failed.isEmpty()) {
            return Result.unhealthy("failed workers: %s", failed);
        }
        return Result.healthy("%d worker(s) %s", workers.size(),
                workers.stream().map(worker -> worker.name() + "=" + worker.state()).toList());
    }
}
