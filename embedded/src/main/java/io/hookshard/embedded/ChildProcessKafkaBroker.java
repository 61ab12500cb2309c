package io.hookshard.embedded;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A KRaft broker in a JVM of its own ({@code kafka.Kafka server.properties}, same class path as this JVM), so that a
 * test can SIGKILL it mid-stream and start it again on the same data and ports.
 */
public final class ChildProcessKafkaBroker implements KafkaBroker {
    private static final Logger LOG = LoggerFactory.getLogger(ChildProcessKafkaBroker.class);

    /** For tests: a small heap and C1 only start the broker quickly and leave the cores to the code under test. */
    private static final List<String> TEST_JVM_OPTIONS = List.of("-Xmx512m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1");

    private final KafkaSettings settings;
    private final List<String> jvmOptions;
    private ChildProcess process;

    public ChildProcessKafkaBroker(Path logDirectory, int port, int controllerPort) {
        this(logDirectory, port, controllerPort, TEST_JVM_OPTIONS);
    }

    /** @param jvmOptions the broker JVM's options, e.g. Kafka's own production defaults for a benchmark */
    public ChildProcessKafkaBroker(Path logDirectory, int port, int controllerPort, List<String> jvmOptions) {
        this.settings = new KafkaSettings(logDirectory, port, controllerPort);
        this.jvmOptions = List.copyOf(jvmOptions);
    }

    @Override
    public synchronized ChildProcessKafkaBroker start() {
        if (process != null && process.isAlive()) {
            return this;
        }
        Ports.requireFree(settings.port(), "Kafka");
        Ports.requireFree(settings.controllerPort(), "the Kafka controller");
        try {
            settings.formatIfNeeded();
            Path home = settings.logDirectory().resolveSibling(settings.logDirectory().getFileName() + "-process");
            Files.createDirectories(home);
            Path properties = home.resolve("server.properties");
            settings.writeProperties(properties);
            Path logback = home.resolve("logback.xml");
            try (InputStream in = getClass().getResourceAsStream("/io/hookshard/embedded/broker-logback.xml")) {
                Files.copy(in, logback, StandardCopyOption.REPLACE_EXISTING);
            }
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            command.addAll(jvmOptions);
            command.addAll(List.of("-Dlogback.configurationFile=" + logback,
                    "-cp", System.getProperty("java.class.path"),
                    "kafka.Kafka", properties.toString()));
            process = ChildProcess.start("kafka", command, home.resolve("broker.log"), "TERM", true);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the Kafka child process", e);
        } catch (Exception e) {
            throw new IllegalStateException("could not format Kafka storage in " + settings.logDirectory(), e);
        }
        ChildProcess started = process;
        settings.awaitReady(Duration.ofSeconds(90), started::isAlive);
        LOG.info("Kafka (pid {}) is up on {}", started.pid(), settings.bootstrapServers());
        return this;
    }

    @Override
    public synchronized void stop() {
        if (process != null) {
            long started = System.nanoTime();
            process.stop("TERM", Duration.ofSeconds(30));
            process = null;
            LOG.info("Kafka child process stopped in {} ms", Duration.ofNanos(System.nanoTime() - started).toMillis());
        }
    }

    @Override
    public synchronized void kill() {
        if (process != null) {
            process.kill();
            process = null;
            LOG.info("Kafka child process killed");
        }
    }

    /** The broker JVM's process id; -1 when stopped. */
    public synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    @Override
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    @Override
    public String bootstrapServers() {
        return settings.bootstrapServers();
    }
}
