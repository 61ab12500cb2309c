package io.hookshard.kafka;

import io.dropwizard.lifecycle.Managed;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The consumer workers of this instance, each on a thread of its own named {@code kafka-<topic>-<n>}. */
public final class ConsumerPool implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(ConsumerPool.class);

    private final List<ConsumerWorker> workers;
    private final Duration shutdownTimeout;
    private final List<Thread> threads = new ArrayList<>();

    public ConsumerPool(List<ConsumerWorker> workers, Duration shutdownTimeout) {
        this.workers = List.copyOf(workers);
        this.shutdownTimeout = shutdownTimeout;
    }

    @Override
    public synchronized void start() {
        for (ConsumerWorker worker : workers) {
            Thread thread = new Thread(worker, worker.name());
            thread.start();
            threads.add(thread);
        }
        LOG.info("started {} consumer worker(s)", workers.size());
    }

    /** Stops every worker (each finishes its batch and commits), waiting at most the shutdown timeout in all. */
    @Override
    public synchronized void stop() throws InterruptedException {
        workers.forEach(ConsumerWorker::shutdown);
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
}
