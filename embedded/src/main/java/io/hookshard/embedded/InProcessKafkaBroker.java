package io.hookshard.embedded;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;

/** A KRaft broker inside this JVM: the fastest to start (~1-2 s), for tests that do not crash it. */
public final class InProcessKafkaBroker implements KafkaBroker {
    private static final Logger LOG = LoggerFactory.getLogger(InProcessKafkaBroker.class);

    private final KafkaSettings settings;
    private KafkaRaftServer server;

    public InProcessKafkaBroker(Path logDirectory, int port, int controllerPort) {
        this.settings = new KafkaSettings(logDirectory, port, controllerPort);
    }

    @Override
    public synchronized InProcessKafkaBroker start() {
        if (server != null) {
            return this;
        }
        Ports.requireFree(settings.port(), "Kafka");
        Ports.requireFree(settings.controllerPort(), "the Kafka controller");
        try {
            settings.formatIfNeeded();
        } catch (Exception e) {
            throw new IllegalStateException("could not format Kafka storage in " + settings.logDirectory(), e);
        }
        KafkaRaftServer raftServer = new KafkaRaftServer(KafkaConfig.fromProps(settings.properties(), false), Time.SYSTEM);
        raftServer.startup();
        server = raftServer;
        settings.awaitReady(Duration.ofSeconds(60), () -> true);
        LOG.info("Kafka is up on {} (data in {})", settings.bootstrapServers(), settings.logDirectory());
        return this;
    }

    @Override
    public synchronized void stop() {
        if (server != null) {
            long started = System.nanoTime();
            server.shutdown();
            server.awaitShutdown();
            server = null;
            LOG.info("Kafka stopped in {} ms", Duration.ofNanos(System.nanoTime() - started).toMillis());
        }
    }

    /** An in-process broker cannot be SIGKILLed; this is the closest: a shutdown. Use the child broker to crash. */
    @Override
    public void kill() {
        stop();
    }

    @Override
    public synchronized boolean isRunning() {
        return server != null;
    }

    @Override
    public String bootstrapServers() {
        return settings.bootstrapServers();
    }
}
