package io.hookshard.consume;

import io.dropwizard.lifecycle.Managed;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The consumer workers of this instance, each slot on a thread of its own named {@code kafka-<topic>-<n>}, supervised:
 * a worker that fails (its consumer closed after committing only what was done) is replaced by a new one, with a new
 * KafkaConsumer, after a backoff that grows while failures repeat. While a slot is down, {@link #slots()} says so and
 * why, for the health check and the metrics.
 */
public final class ConsumerPool implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(ConsumerPool.class);
    /** A worker that ran this long before failing starts the backoff over. */
    private static final Duration HEALTHY_RUN = Duration.ofMinutes(1);

    private final List<Slot> slots;
    private final Duration shutdownTimeout;
    private final Backoff restartBackoff;
    private final CountDownLatch stopping = new CountDownLatch(1);
    private final List<Thread> threads = new ArrayList<>();

    /** @param workers one factory per slot; each call builds a fresh worker with its own KafkaConsumer */
    public ConsumerPool(List<NamedFactory> workers, Duration shutdownTimeout, Backoff restartBackoff) {
        this.slots = workers.stream().map(Slot::new).toList();
        this.shutdownTimeout = shutdownTimeout;
        this.restartBackoff = restartBackoff;
    }

    /** A slot's name and how to build its worker. */
    public record NamedFactory(String name, Supplier<ConsumerWorker> factory) {
    }

    /** What a slot is doing, for health checks and metrics. */
    public record SlotStatus(String name, boolean down, String cause, Instant downSince, int restarts, int waiting) {
    }

    @Override
    public synchronized void start() {
        for (Slot slot : slots) {
            Thread thread = new Thread(slot::supervise, slot.name);
            thread.start();
            threads.add(thread);
        }
        LOG.info("started {} consumer worker(s)", slots.size());
    }

    /** Stops every worker (each finishes its batch and commits), waiting at most the shutdown timeout in all. */
    @Override
    public synchronized void stop() throws InterruptedException {
        stopping.countDown();
        slots.forEach(Slot::shutdown);
        long deadline = System.nanoTime() + shutdownTimeout.toNanos();
        for (Thread thread : threads) {
            long remainingMillis = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            thread.join(remainingMillis);
            if (thread.isAlive()) {
                LOG.warn("{} did not stop within {}; its uncommitted records will be redelivered", thread.getName(),
                        shutdownTimeout);
            }
        }
        threads.clear();
    }

    public List<SlotStatus> slots() {
        return slots.stream().map(Slot::status).toList();
    }

    private boolean isStopping() {
        return stopping.getCount() == 0;
    }

    private final class Slot {
        private final String name;
        private final Supplier<ConsumerWorker> factory;
        private volatile ConsumerWorker current;
        private volatile Throwable cause;
        private volatile Instant downSince;
        private volatile int restarts;

        Slot(NamedFactory spec) {
            this.name = spec.name();
            this.factory = spec.factory();
        }

        void supervise() {
            int attempt = 0;
            while (!isStopping()) {
                long started = System.nanoTime();
                try {
                    ConsumerWorker worker = factory.get();
                    current = worker;
                    if (isStopping()) {
                        worker.shutdown();
                    }
                    downSince = null;
                    cause = null;
                    worker.run();
                    if (isStopping() || worker.state() != ConsumerWorker.State.FAILED) {
                        return;
                    }
                    cause = worker.failure();
                } catch (RuntimeException e) {
                    // Building the consumer failed (e.g. a bootstrap address that does not resolve yet).
                    cause = e;
                    LOG.error("{}: could not start a consumer worker", name, e);
                }
                downSince = Instant.now();
                if (System.nanoTime() - started > HEALTHY_RUN.toNanos()) {
                    attempt = 0;
                }
                Duration delay = restartBackoff.delay(attempt++);
                LOG.warn("{} is down ({}); restarting it in {} ms (restart {})", name, cause, delay.toMillis(),
                        restarts + 1);
                try {
                    if (stopping.await(delay.toMillis(), TimeUnit.MILLISECONDS)) {
                        return;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                restarts++;
            }
        }

        void shutdown() {
            ConsumerWorker worker = current;
            if (worker != null) {
                worker.shutdown();
            }
        }

        SlotStatus status() {
            ConsumerWorker worker = current;
            Instant since = downSince;
            Throwable failure = cause;
            return new SlotStatus(name, since != null, failure == null ? null : failure.toString(), since, restarts,
                    worker == null ? 0 : worker.waiting());
        }
    }
}
