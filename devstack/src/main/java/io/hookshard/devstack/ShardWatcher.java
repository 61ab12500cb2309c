package io.hookshard.devstack;

import io.hookshard.embedded.PostgresServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Watches dev mode's shards and starts again one whose postgres exited on its own (a crash, the OOM killer, a
 * {@code kill -9} from outside): on the same data and port, where PostgreSQL recovers from its WAL, after the waits of
 * a {@link RestartBackoff}. Without it the service would only log refused connections until dev mode is restarted.
 * {@link #stop()} comes before the shutdown hook stops the shards, so a shard stopped on purpose stays stopped.
 */
final class ShardWatcher {
    private static final Logger LOG = LoggerFactory.getLogger(ShardWatcher.class);
    private static final Duration POLL = Duration.ofMillis(500);

    private final List<Watched> shards;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "devstack-shard-watcher");
        thread.setDaemon(true);
        return thread;
    });
    /** Held while a shard starts again, and to set {@link #stopping}: once stop() returns, no start runs or begins. */
    private final Object restarting = new Object();
    private boolean stopping;

    ShardWatcher(List<PostgresServer> shards) {
        this.shards = shards.stream().map(Watched::new).toList();
    }

    void start() {
        executor.scheduleWithFixedDelay(this::checkAll, POLL.toMillis(), POLL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Waits for a start under way to finish (dev mode's stop then stops that shard too). */
    void stop() {
        synchronized (restarting) {
            stopping = true;
        }
        executor.shutdownNow();
    }

    private void checkAll() {
        for (Watched shard : shards) {
            try {
                check(shard, System.nanoTime());
            } catch (RuntimeException e) {
                // A thrown exception would end the schedule, and with it the watching of every shard.
                LOG.error("could not check PostgreSQL {}; checking again in {} ms", shard.server.name(),
                        POLL.toMillis(), e);
            }
        }
    }

    private void check(Watched shard, long now) {
        PostgresServer server = shard.server;
        if (shard.dueAt == null) {
            OptionalInt exit = server.exitedWith();
            if (exit.isEmpty()) {
                shard.backoff.running(now);
                return;
            }
            Duration wait = shard.backoff.next();
            shard.dueAt = now + wait.toNanos();
            LOG.error("PostgreSQL {} exited unexpectedly (pid {}, {}); starting it again on the same data and port in"
                    + " {} s (attempt {})", server.name(), server.pid(), describe(exit.getAsInt()), wait.toSeconds(),
                    shard.backoff.attempt());
            return;
        }
        if (now - shard.dueAt < 0) {
            return;
        }
        synchronized (restarting) {
            if (stopping) {
                return;
            }
            try {
                server.start();
                shard.dueAt = null;
                shard.backoff.running(System.nanoTime());
                LOG.info("PostgreSQL {} runs again (attempt {}), recovered from its WAL", server.name(),
                        shard.backoff.attempt());
            } catch (RuntimeException e) {
                Duration wait = shard.backoff.next();
                shard.dueAt = System.nanoTime() + wait.toNanos();
                LOG.warn("PostgreSQL {} did not start again ({}); attempt {} in {} s", server.name(), e.getMessage(),
                        shard.backoff.attempt(), wait.toSeconds());
            }
        }
    }

    /** An exit code as {@link Process#exitValue()} gives it: 128 + the signal's number when a signal ended it. */
    static String describe(int exitCode) {
        if (exitCode <= 128 || exitCode > 128 + 64) {
            return "exit code " + exitCode;
        }
        int signal = exitCode - 128;
        String name = switch (signal) {
            case 1 -> "SIGHUP";
            case 2 -> "SIGINT";
            case 3 -> "SIGQUIT";
            case 6 -> "SIGABRT";
            case 9 -> "SIGKILL";
            case 11 -> "SIGSEGV";
            case 15 -> "SIGTERM";
            default -> "signal " + signal;
        };
        return "killed by " + name;
    }

    /** A shard and its restarts; touched by the watcher's thread only. */
    private static final class Watched {
        private final PostgresServer server;
        private final RestartBackoff backoff = new RestartBackoff();
        private Long dueAt;

        private Watched(PostgresServer server) {
            this.server = server;
        }
    }
}
