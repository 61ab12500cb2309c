package io.hookshard.embedded;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Properties;

/**
 * One real PostgreSQL server: its own data directory and port, {@code postgres} running as a direct child process
 * so that {@link #kill()} is a real crash and {@link #start()} afterwards a real recovery.
 *
 * <p>{@code initdb} and {@code postgres} refuse to run as root; as root both run under {@code unshare -U}, where
 * they see themselves as an unprivileged user that owns the data directory.
 */
public final class PostgresServer implements AutoCloseable {
    public static final String DATABASE = "hookshard";
    public static final String USER = "postgres";
    private static final Logger LOG = LoggerFactory.getLogger(PostgresServer.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final String name;
    private final PostgresBinaries binaries;
    private final Path dataDirectory;
    private final int port;
    private final boolean durable;
    private final Map<String, String> settings = new LinkedHashMap<>();
    private boolean stopOnJvmExit = true;
    private boolean suspended;
    private ChildProcess process;

    /**
     * @param durable false turns off fsync and full-page writes, which survive a process crash (not a power
     *                loss) and make tests faster; synchronous_commit always stays on.
     */
    public PostgresServer(String name, PostgresBinaries binaries, Path dataDirectory, int port, boolean durable) {
        this.name = name;
        this.binaries = binaries;
        this.dataDirectory = dataDirectory.toAbsolutePath();
        this.port = port;
        this.durable = durable;
    }

    /** By default the JVM's exit stops the server; an owner that stops it in an order of its own turns that off. */
    public synchronized PostgresServer stopOnJvmExit(boolean enabled) {
        this.stopOnJvmExit = enabled;
        return this;
    }

    /** A server setting ({@code postgres -c name=value}) for the next start, e.g. a benchmark's memory and WAL sizes. */
    public synchronized PostgresServer setting(String name, String value) {
        settings.put(name, value);
        return this;
    }

    public synchronized PostgresServer start() {
        if (process != null && process.isAlive()) {
            return this;
        }
        Ports.requireFree(port, "PostgreSQL " + name);
        try {
            if (!Files.exists(dataDirectory.resolve("PG_VERSION"))) {
                initdb();
            }
            process = ChildProcess.start("postgres-" + name, command(postgresArguments()), logFile(), "INT",
                    stopOnJvmExit);
            awaitReady();
            createDatabaseIfMissing();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start PostgreSQL " + name, e);
        }
        LOG.info("PostgreSQL {} is up on 127.0.0.1:{} (data in {})", name, port, dataDirectory);
        return this;
    }

    /** Fast shutdown (SIGINT): open transactions roll back, the server stops without waiting for clients. */
    public synchronized void stop() {
        if (process != null) {
            long started = System.nanoTime();
            if (suspended) {
                // A stopped postmaster would take SIGINT only when continued.
                process.signalTree("CONT");
                suspended = false;
            }
            process.stop("INT", Duration.ofSeconds(30));
            process = null;
            LOG.info("PostgreSQL {} stopped in {} ms", name, Duration.ofNanos(System.nanoTime() - started).toMillis());
        }
    }

    /** SIGKILL of the postmaster and all its backends, as a crash would do. */
    public synchronized void kill() {
        if (process != null) {
            process.kill();
            process = null;
            suspended = false;
            LOG.info("PostgreSQL {} killed", name);
        }
    }

    /**
     * SIGSTOP of the postmaster and every backend: the server hangs, as on a stalled disk or a frozen VM. The kernel
     * still accepts connections into the listen backlog, so clients wait for answers instead of being refused.
     */
    public synchronized void suspend() {
        if (process == null) {
            throw new IllegalStateException("PostgreSQL " + name + " is not running");
        }
        process.signalTree("STOP");
        suspended = true;
        LOG.info("PostgreSQL {} suspended (SIGSTOP)", name);
    }

    /** SIGCONT after {@link #suspend()}: the server carries on where it stopped. Does nothing otherwise. */
    public synchronized void resume() {
        if (process != null && suspended) {
            process.signalTree("CONT");
            suspended = false;
            LOG.info("PostgreSQL {} resumed (SIGCONT)", name);
        }
    }

    /** The postmaster's process id, whose process tree is the server (its backends among them); -1 when stopped. */
    public synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    /**
     * How the postmaster ended when nothing here stopped or killed it (a crash, a kill from outside, a failed start):
     * its exit code, 128 + the signal's number for a signal. Empty while it runs, before the first start, and after
     * {@link #stop()} or {@link #kill()}. A {@link #start()} runs it again on the same data and port.
     */
    public synchronized OptionalInt exitedWith() {
        return process == null || process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    public String name() {
        return name;
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    public int port() {
        return port;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), credentials());
    }

    @Override
    public void close() {
        stop();
    }

    private void initdb() throws IOException {
        Files.createDirectories(dataDirectory.getParent());
        List<String> arguments = List.of(binaries.binary("initdb").toString(), "-D", dataDirectory.toString(),
                "-U", USER, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync");
        Process initdb = new ProcessBuilder(command(arguments)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile())).start();
        try {
            int exit = initdb.waitFor();
            if (exit != 0) {
                throw new IllegalStateException("initdb for " + name + " failed with exit code " + exit + "; see "
                        + logFile());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running initdb", e);
        }
    }

    private List<String> postgresArguments() {
        List<String> arguments = new ArrayList<>(List.of(binaries.binary("postgres").toString(),
                "-D", dataDirectory.toString(), "-p", Integer.toString(port),
                "-c", "listen_addresses=127.0.0.1",
                "-c", "unix_socket_directories=",
                "-c", "max_connections=200",
                "-c", "shared_buffers=128MB",
                "-c", "log_min_messages=warning",
                // UTC like the service's own log, so that the two read side by side
                "-c", "log_timezone=UTC"));
        settings.forEach((name, value) -> arguments.addAll(List.of("-c", name + "=" + value)));
        if (!durable) {
            arguments.addAll(List.of("-c", "fsync=off", "-c", "full_page_writes=off"));
        }
        return arguments;
    }

    private static List<String> command(List<String> arguments) {
        if (!isRoot()) {
            return arguments;
        }
        List<String> wrapped = new ArrayList<>(List.of("unshare", "-U"));
        wrapped.addAll(arguments);
        return wrapped;
    }

    private static boolean isRoot() {
        return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
    }

    private Path logFile() throws IOException {
        Files.createDirectories(dataDirectory.getParent());
        return dataDirectory.resolveSibling(dataDirectory.getFileName() + ".log");
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            // Only our own child counts: a connection to another server on a clashing port would be a lie.
            if (!process.isAlive()) {
                throw new IllegalStateException("PostgreSQL " + name + " exited during startup; see " + dataDirectory
                        + ".log");
            }
            try (Connection ignored = DriverManager.getConnection(url, credentials())) {
                return;
            } catch (SQLException e) {
                last = e;
            }
            sleep(Duration.ofMillis(50));
        }
        process.kill();
        throw new IllegalStateException("PostgreSQL " + name + " did not accept connections within " + START_TIMEOUT,
                last);
    }

    private void createDatabaseIfMissing() {
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
        try (Connection connection = DriverManager.getConnection(url, credentials());
             Statement statement = connection.createStatement()) {
            var result = statement.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'");
            if (!result.next()) {
                statement.execute("CREATE DATABASE " + DATABASE);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + DATABASE + " on " + name, e);
        }
    }

    private static Properties credentials() {
        Properties properties = new Properties();
        properties.setProperty("user", USER);
        properties.setProperty("connectTimeout", "2");
        return properties;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
