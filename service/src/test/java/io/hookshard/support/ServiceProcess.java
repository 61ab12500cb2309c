package io.hookshard.support;

import io.hookshard.embedded.Ports;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Hookshard as a JVM of its own, started from the runnable jar that {@code mvn package} built, so that a test can
 * SIGKILL it mid-stream and start it again on the same ports, topics, group and shards.
 */
public final class ServiceProcess implements AutoCloseable {
    private final List<String> command;
    private final Path log;
    private final int port;
    private final int adminPort;
    private Process process;

    public ServiceProcess(String bootstrapServers, List<String> shardUrls, String namespace, Path log) {
        this(bootstrapServers, shardUrls, namespace, log, "test-config.yml", List.of());
    }

    /**
     * @param configResource a configuration file of the test resources
     * @param jvmOptions     more options of the child JVM, e.g. {@code -Dhookshard.move.holdAt=frozen}
     */
    public ServiceProcess(String bootstrapServers, List<String> shardUrls, String namespace, Path log,
                          String configResource, List<String> jvmOptions) {
        int[] ports = Ports.freePorts(2);
        this.port = ports[0];
        this.adminPort = ports[1];
        this.log = log;
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-Ddw.server.applicationConnectors[0].port=" + port,
                "-Ddw.server.adminConnectors[0].port=" + adminPort,
                "-Ddw.kafka.bootstrapServers=" + bootstrapServers,
                "-Ddw.kafka.topics.orders=orders.webhooks." + namespace,
                "-Ddw.kafka.topics.disputes=disputes.webhooks." + namespace,
                "-Ddw.kafka.topics.events=payments.events." + namespace,
                "-Ddw.consumers.groupId=hookshard-" + namespace));
        command.addAll(jvmOptions);
        for (int i = 0; i < shardUrls.size(); i++) {
            command.add("-Ddw.shards.shards[" + i + "].database.url=" + shardUrls.get(i));
        }
        command.addAll(List.of("-jar", Path.of("target", "hookshard.jar").toAbsolutePath().toString(), "server",
                Path.of("src", "test", "resources", configResource).toAbsolutePath().toString()));
        this.command = List.copyOf(command);
    }

    public ServiceProcess start() throws Exception {
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the service exited during startup; see " + log);
            }
            try {
                HttpResponse<String> health = client.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + adminPort + "/healthcheck")).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                if (health.statusCode() == 200) {
                    return this;
                }
            } catch (IOException starting) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the service did not become healthy within 90 s; see " + log);
    }

    /** SIGKILL: no shutdown hook, no commit, no flush. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM: Dropwizard stops gracefully (consumers commit). */
    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    public URI url(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    public URI adminUrl(String path) {
        return URI.create("http://127.0.0.1:" + adminPort + path);
    }

    public Path log() {
        return log;
    }
}
