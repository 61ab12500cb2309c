package io.hookshard.devstack;

import io.hookshard.embedded.PostgresServer;
import io.hookshard.embedded.Ports;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Clears the way before dev mode starts anything: a shard left running by a dev mode that was killed is stopped (it
 * holds its port and its data directory); a shard another dev mode still runs on the same data, or any other holder
 * of one of dev mode's ports, is refused with one line saying what to do. Checked before the shutdown hook exists, so
 * a refusal stops nothing.
 */
final class DevPortCheck {
    private static final Logger LOG = LoggerFactory.getLogger(DevPortCheck.class);

    private DevPortCheck() {
    }

    /** @throws IllegalStateException with the one line for the user, when a port is someone else's */
    static void clear(DevPorts ports, List<PostgresServer> shards) throws IOException, InterruptedException {
        for (PostgresServer shard : shards) {
            Optional<ShardPostmaster> running = ShardPostmaster.find(shard.name(), shard.dataDirectory());
            if (running.isEmpty()) {
                continue;
            }
            Optional<ProcessHandle> devMode = running.get().runningDevMode();
            if (devMode.isPresent()) {
                throw new IllegalStateException(shard.name() + " (pid " + running.get().pid() + ") belongs to a dev"
                        + " mode still running (pid " + devMode.get().pid() + ") on " + shard.dataDirectory()
                        .getParent() + "; stop that one first (Ctrl-C), or give this one another HOOKSHARD_DEV_DATA");
            }
            LOG.info("{} is still running from a dev mode that was killed (pid {}); stopping it first", shard.name(),
                    running.get().pid());
            running.get().stop();
        }
        requireFree(ports.kafka(), "Kafka", DevPorts.KAFKA);
        requireFree(ports.kafkaController(), "the Kafka controller", DevPorts.KAFKA_CONTROLLER);
        for (int i = 0; i < shards.size(); i++) {
            requireFree(shards.get(i).port(), "PostgreSQL " + shards.get(i).name(), DevPorts.shardVariable(i));
        }
    }

    private static void requireFree(int port, String user, String variable) {
        try {
            Ports.requireFree(port, user);
        } catch (IllegalStateException taken) {
            // one line for the user: the bind's own exception adds nothing they can act on
            throw new IllegalStateException("port " + port + " (wanted by " + user + ") is already taken on 127.0.0.1"
                    + " by another program; stop whatever listens there, or move " + user + " with "
                    + variable + "=<port>");
        }
    }
}
