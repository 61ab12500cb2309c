package io.hookshard.chaos;

import io.hookshard.embedded.PostgresServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/** What each fault kind does to the cluster: its target, how long it holds, and its recovery. */
final class FaultActions {
    private static final Logger LOG = LoggerFactory.getLogger(FaultActions.class);
    private static final String BROKER = "broker";

    /** Waits for a fault's hold, or less when the run heals. */
    interface Hold {
        void hold(Duration duration) throws InterruptedException;
    }

    /** A fault about to run: its kind, its target (by name and index), how long it holds and a line on it. */
    record Planned(FaultKind kind, String target, int index, Duration hold, String detail) {
    }

    private final Cluster cluster;
    private final Hold hold;

    FaultActions(Cluster cluster, Hold hold) {
        this.cluster = cluster;
        this.hold = hold;
    }

    /** Plans a fault of {@code kind} on a target not in {@code busy}; null when every target is busy. */
    Planned plan(FaultKind kind, Random random, Set<String> busy) {
        return switch (kind) {
            case KILL_INSTANCE -> instance(kind, random, busy, "SIGKILL, then start again");
            case GRACEFUL_RESTART -> instance(kind, random, busy, "SIGTERM, then start again");
            case KILL_BROKER -> busy.contains(BROKER) ? null
                    : new Planned(kind, BROKER, 0, Duration.ZERO, "SIGKILL, then start again");
            case KILL_SHARD -> {
                Duration down = Duration.ofSeconds(5 + random.nextInt(56));
                yield pick(kind, random, busy, Cluster.SHARD_IDS, down, "SIGKILL, start again after " + down);
            }
            case STOP_SHARD -> pick(kind, random, busy, Cluster.SHARD_IDS, Duration.ofSeconds(70),
                    "SIGSTOP for 70 s, then SIGCONT");
            case EXTRA_INSTANCE -> {
                String name = cluster.instance(Cluster.BASE_INSTANCES).name();
                Duration up = Duration.ofSeconds(20 + random.nextInt(21));
                yield busy.contains(name) ? null
                        : new Planned(kind, name, Cluster.BASE_INSTANCES, up, "start, stop (SIGTERM) after " + up);
            }
            case PAUSE_TOPIC -> {
                Duration paused = Duration.ofSeconds(10 + random.nextInt(21));
                yield pick(kind, random, busy, Cluster.TOPICS, paused, "consumers-pause on every instance, "
                        + "consumers-resume after " + paused);
            }
        };
    }

    void run(Planned fault) throws Exception {
        switch (fault.kind()) {
            case KILL_INSTANCE -> {
                cluster.killInstance(fault.index());
                cluster.startInstance(fault.index());
            }
            case GRACEFUL_RESTART -> {
                cluster.stopInstance(fault.index());
                cluster.startInstance(fault.index());
            }
            case KILL_BROKER -> cluster.crashBroker();
            case KILL_SHARD -> {
                PostgresServer shard = cluster.shard(fault.index());
                shard.kill();
                hold.hold(fault.hold());
                shard.start();
            }
            case STOP_SHARD -> {
                PostgresServer shard = cluster.shard(fault.index());
                shard.suspend();
                try {
                    hold.hold(fault.hold());
                } finally {
                    shard.resume();
                }
            }
            case EXTRA_INSTANCE -> {
                cluster.startInstance(fault.index());
                hold.hold(fault.hold());
                cluster.stopInstance(fault.index());
            }
            case PAUSE_TOPIC -> {
                String topic = fault.target();
                everyInstance("/tasks/consumers-pause?topic=" + topic);
                try {
                    hold.hold(fault.hold());
                } finally {
                    everyInstance("/tasks/consumers-resume?topic=" + topic);
                }
            }
        }
    }

    /**
     * Runs an admin task on every running instance. One that is down just then is skipped: it starts with no topic
     * paused, as an instance that restarts during an operator's pause would.
     */
    private void everyInstance(String task) throws InterruptedException {
        List<String> done = new ArrayList<>();
        for (ServiceInstance instance : cluster.instances()) {
            if (!instance.isRunning()) {
                continue;
            }
            try {
                instance.task(task);
                done.add(instance.name());
            } catch (IOException e) {
                LOG.warn("{} on {} failed (restarting?): {}", task, instance.name(), e.toString());
            }
        }
        LOG.info("{} on {}", task, done);
    }

    private Planned instance(FaultKind kind, Random random, Set<String> busy, String detail) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < Cluster.BASE_INSTANCES; i++) {
            names.add(cluster.instance(i).name());
        }
        return pick(kind, random, busy, names, Duration.ZERO, detail);
    }

    private static Planned pick(FaultKind kind, Random random, Set<String> busy, List<String> targets,
                                Duration hold, String detail) {
        List<Integer> free = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            if (!busy.contains(targets.get(i))) {
                free.add(i);
            }
        }
        if (free.isEmpty()) {
            return null;
        }
        int index = free.get(random.nextInt(free.size()));
        return new Planned(kind, targets.get(index), index, hold, detail);
    }
}
