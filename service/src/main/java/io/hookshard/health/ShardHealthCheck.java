package io.hookshard.health;

import com.codahale.metrics.health.HealthCheck;
import org.jdbi.v3.core.Jdbi;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One shard answers a query within the timeout. Dropwizard's own Jdbi check runs every database's query on one shared
 * pool of four threads: a hung shard (a stalled disk, a frozen VM) holds those threads until its socket timeout, and
 * the other shards' checks then time out too, reporting healthy shards unhealthy. This check has a thread of its own,
 * and while its last query has not returned it starts no other: it answers at once that the shard has not answered
 * for so long, so a healthcheck request is never held by a shard already known to hang.
 */
public final class ShardHealthCheck extends HealthCheck {
    private final Jdbi jdbi;
    private final String query;
    private final Duration timeout;
    private final ExecutorService thread;
    private Future<?> last;
    private long lastStartedNanos;

    /** @param thread a single thread for this shard's queries alone */
    public ShardHealthCheck(Jdbi jdbi, String query, Duration timeout, ExecutorService thread) {
        this.jdbi = jdbi;
        this.query = query;
        this.timeout = timeout;
        this.thread = thread;
    }

    @Override
    protected synchronized Result check() throws InterruptedException {
        if (last != null && !last.isDone()) {
            return Result.unhealthy("no answer for " + Duration.ofNanos(System.nanoTime() - lastStartedNanos)
                    .toSeconds() + " s: the shard's last health query has not returned");
        }
        lastStartedNanos = System.nanoTime();
        last = thread.submit(() -> jdbi.useHandle(handle -> handle.execute(query)));
        try {
            last.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return Result.healthy();
        } catch (TimeoutException e) {
            return Result.unhealthy("no answer within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            return Result.unhealthy(e.getCause());
        }
    }
}
