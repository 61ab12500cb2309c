package io.hookshard.support;

import io.hookshard.embedded.InProcessKafkaBroker;
import io.hookshard.embedded.KafkaBroker;
import io.hookshard.embedded.PostgresBinaries;
import io.hookshard.embedded.PostgresServer;
import io.hookshard.embedded.Ports;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;

/**
 * One in-process Kafka broker and two PostgreSQL servers for the whole test JVM, started on first use and stopped
 * when the JVM exits. Test classes isolate themselves with fresh topics, consumer groups and databases.
 */
public final class TestInfrastructure {
    private final Path root;
    private final PostgresBinaries binaries;
    private final KafkaBroker kafka;
    private final List<PostgresServer> shards;

    private TestInfrastructure() {
        try {
            root = Files.createTempDirectory("hookshard-it-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        binaries = postgresBinaries();
        int[] ports = Ports.freePorts(2);
        kafka = new InProcessKafkaBroker(root.resolve("kafka"), ports[0], ports[1]).start();
        shards = List.of(
                new PostgresServer("it-a", binaries, root.resolve("shard-a"), Ports.freePort(), false).start(),
                new PostgresServer("it-b", binaries, root.resolve("shard-b"), Ports.freePort(), false).start());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            kafka.stop();
            shards.forEach(PostgresServer::stop);
            deleteAtExit(root);
        }, "stop-test-infrastructure"));
    }

    private static final class Holder {
        private static final TestInfrastructure INSTANCE = new TestInfrastructure();
    }

    public static TestInfrastructure shared() {
        return Holder.INSTANCE;
    }

    /** The binaries are unpacked once per machine, not per test run. */
    public static PostgresBinaries postgresBinaries() {
        return PostgresBinaries.locate(Path.of(System.getProperty("java.io.tmpdir"), "hookshard-pg-binaries"));
    }

    /** A directory for a test's own servers or logs, deleted when the test JVM exits (see {@link #deleteAtExit}). */
    public static Path newTempDirectory(String prefix) {
        Path dir;
        try {
            dir = Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteAtExit(dir), "delete-" + dir.getFileName()));
        return dir;
    }

    /**
     * A suite writes gigabytes of broker and shard data (3-4 GB a run); left behind, a few runs fill a laptop's or a CI
     * runner's disk. {@code -Dhookshard.keepTestData=true} keeps them, to look at after a failure.
     */
    private static void deleteAtExit(Path dir) {
        if (Boolean.getBoolean("hookshard.keepTestData")) {
            return;
        }
        try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    // A file a server that is still stopping holds open: the rest goes, this stays.
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // Gone already, or changing under a process that is still stopping: what was walked is deleted.
        }
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public List<PostgresServer> shards() {
        return shards;
    }

    /** A new empty database on {@code server}; returns its JDBC URL. */
    public static String freshDatabase(PostgresServer server) {
        String name = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try (Connection connection = java.sql.DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + server.port() + "/postgres", "postgres", "");
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create a test database on " + server.name(), e);
        }
        return "jdbc:postgresql://127.0.0.1:" + server.port() + "/" + name;
    }
}
