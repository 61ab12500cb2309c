package io.hookshard.chaos;

import io.hookshard.embedded.ChildProcess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One instance of the service: the runnable jar as a child process ({@code server <config>}), on ports of its own
 * that it keeps across restarts. Killed with SIGKILL, stopped with SIGTERM (Dropwizard's graceful stop).
 */
final class ServiceInstance {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceInstance.class);
    private static final Duration START_TIMEOUT = Duration.ofMinutes(5);

    private final String name;
    private final List<String> command;
    private final Map<String, String> environment;
    private final Path log;
    private final int port;
    private final int adminPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** Volatile: others ask whether it runs while a start, which holds the lock for minutes, is under way. */
    private volatile ChildProcess process;

    ServiceInstance(String name, Path serviceJar, Path config, Map<String, String> environment, Path log, int port,
                    int adminPort) {
        this.name = name;
        this.command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-jar", serviceJar.toString(), "server", config.toString());
        this.environment = Map.copyOf(environment);
        this.log = log;
        this.port = port;
        this.adminPort = adminPort;
    }

    String name() {
        return name;
    }

    URI base() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /**
     * Starts the instance and waits until its application port answers. An instance that exits while starting (the
     * broker or a shard down just then) is started again, until {@link #START_TIMEOUT}.
     */
    synchronized void start() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        long started = System.nanoTime();
        int tries = 0;
        while (true) {
            tries++;
            process = ChildProcess.start(name, command, environment, log, "TERM", true);
            if (awaitReady(deadline)) {
                LOG.info("{} is up (pid {}) in {} ms{}", name, process.pid(),
                        Duration.ofNanos(System.nanoTime() - started).toMillis(), tries > 1 ? ", try " + tries : "");
                return;
            }
            process.kill();
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(name + " did not start within " + START_TIMEOUT + "; see " + log);
            }
            LOG.warn("{} exited while starting (try {}); starting it again", name, tries);
            Thread.sleep(2000);
        }
    }

    /** SIGKILL: no shutdown hook, no commit, no flush. */
    synchronized void kill() {
        if (process != null) {
            process.kill();
            process = null;
        }
    }

    /** SIGTERM: the consumers finish their batches and commit, Jetty stops taking requests; SIGKILL after 60 s. */
    synchronized void stop() {
        if (process != null) {
            process.stop("TERM", Duration.ofSeconds(60));
            process = null;
        }
    }

    boolean isRunning() {
        ChildProcess current = process;
        return current != null && current.isAlive();
    }

    /** POSTs to an admin task (no token: the admin port listens on loopback) and returns what it printed. */
    String task(String pathAndQuery) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(admin(pathAndQuery))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(name + " answered " + response.statusCode() + " to " + pathAndQuery + ": "
                    + response.body());
        }
        return response.body();
    }

    /** GETs an admin page (health checks answer 500 when unhealthy, with the same JSON). */
    HttpResponse<String> adminGet(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(admin(path)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private URI admin(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + adminPort + pathAndQuery);
    }

    /** True once the application answers; false if the process exited or the deadline passed first. */
    private boolean awaitReady(long deadline) throws InterruptedException {
        HttpRequest probe = HttpRequest.newBuilder(base().resolve("/schemas/order-payment"))
                .timeout(Duration.ofSeconds(5)).GET().build();
        while (System.nanoTime() - deadline < 0) {
            if (!process.isAlive()) {
                return false;
            }
            try {
                if (http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return true;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        return false;
    }
}
