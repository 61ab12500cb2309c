package io.hookshard.embedded;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

import java.io.IOException;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** The configuration of a one-node KRaft cluster on loopback, and the storage format it needs first. */
final class KafkaSettings {
    private static final int NODE_ID = 1;

    private final Path logDirectory;
    private final int port;
    private final int controllerPort;

    KafkaSettings(Path logDirectory, int port, int controllerPort) {
        this.logDirectory = logDirectory.toAbsolutePath();
        this.port = port;
        this.controllerPort = controllerPort;
    }

    Path logDirectory() {
        return logDirectory;
    }

    int port() {
        return port;
    }

    int controllerPort() {
        return controllerPort;
    }

    String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    Properties properties() {
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", Integer.toString(NODE_ID));
        props.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("log.dirs", logDirectory.toString());
        // One node: every internal topic has one replica, and acks=all means that replica.
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "4");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        // Consumer workers commit dead letters and parked records in transactions: a few coordinator partitions
        // come up faster than the default 50 on first use, as for the offsets topic above.
        props.put("transaction.state.log.num.partitions", "4");
        // A transaction left open by a killed service is aborted once it times out (10 s); look for such every
        // second instead of every 10 s, so that readers and the group's offset fetch wait no longer than that.
        props.put("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("min.insync.replicas", "1");
        props.put("default.replication.factor", "1");
        // Topics are created by the service with the configured partition count, never on first use.
        props.put("auto.create.topics.enable", "false");
        props.put("group.initial.rebalance.delay.ms", "0");
        // A restarted broker must rejoin in seconds, not wait out the old session (~12 s by default).
        props.put("broker.session.timeout.ms", "2000");
        props.put("broker.heartbeat.interval.ms", "500");
        props.put("log.flush.interval.messages", Long.toString(Long.MAX_VALUE));
        return props;
    }

    /** Formats the storage directory once; a directory that holds {@code meta.properties} keeps its cluster id. */
    void formatIfNeeded() throws Exception {
        if (Files.exists(logDirectory.resolve("meta.properties"))) {
            return;
        }
        Files.createDirectories(logDirectory);
        new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(NODE_ID)
                .setClusterId(Uuid.randomUuid().toString())
                .setControllerListenerName("CONTROLLER")
                .setMetadataLogDirectory(logDirectory.toString())
                .addDirectory(logDirectory.toString())
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .run();
    }

    /** Waits until an admin client sees the broker; {@code alive} lets a dead child process fail fast. */
    void awaitReady(Duration timeout, BooleanSupplier alive) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000))) {
            while (System.nanoTime() < deadline) {
                if (!alive.getAsBoolean()) {
                    throw new IllegalStateException("Kafka broker exited during startup; see " + logDirectory + ".log");
                }
                try {
                    if (!admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception e) {
                    last = e;
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Kafka", e);
        }
        throw new IllegalStateException("Kafka broker on " + bootstrapServers() + " not ready within " + timeout, last);
    }

    void writeProperties(Path file) throws IOException {
        try (var out = Files.newOutputStream(file)) {
            properties().store(out, "written by Hookshard's embedded Kafka");
        }
    }
}
