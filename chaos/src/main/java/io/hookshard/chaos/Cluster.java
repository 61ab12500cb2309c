package io.hookshard.chaos;

import io.hookshard.embedded.ChildProcessKafkaBroker;
import io.hookshard.embedded.PostgresBinaries;
import io.hookshard.embedded.PostgresServer;
import io.hookshard.embedded.Ports;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Everything the run starts, each an OS process of its own: a Kafka broker (a child JVM), three PostgreSQL shards
 * (direct children) and three instance slots of the service jar, the first two in service from the start and the
 * third for the fault that adds an instance. The shards split the 1024 buckets evenly, in the order listed.
 */
final class Cluster implements AutoCloseable {
    static final List<String> SHARD_IDS = List.of("shard-a", "shard-b", "shard-c");
    static final List<String> TOPICS = List.of("orders.webhooks", "disputes.webhooks");
    static final String GROUP = "hookshard-chaos";
    /** Where the shards' relays publish (the configuration's default, kafka.topics.events). */
    static final String EVENTS_TOPIC = "payments.events";
    static final int BASE_INSTANCES = 2;
    private static final Logger LOG = LoggerFactory.getLogger(Cluster.class);

    private final Path logs;
    private final Path serviceJar;
    private final Endpoints endpoints;
    private final ChildProcessKafkaBroker broker;
    private final List<PostgresServer> shards = new ArrayList<>();
    private final List<ServiceInstance> instances = new ArrayList<>();
    private final Path config;
    private final ReentrantLock brokerLock = new ReentrantLock();

    /** @param directory the servers' data; {@code logs} the instances' logs (kept when the data is deleted) */
    Cluster(Path directory, Path logs, Path serviceJar, Endpoints endpoints) throws IOException {
        this.logs = logs;
        this.serviceJar = serviceJar;
        this.endpoints = endpoints;
        Files.createDirectories(directory);
        Files.createDirectories(logs);
        int[] ports = Ports.freePorts(2 + SHARD_IDS.size());
        this.broker = new ChildProcessKafkaBroker(directory.resolve("kafka"), ports[0], ports[1]);
        // Unpacked once per machine, as the tests do, not once per run.
        PostgresBinaries binaries = PostgresBinaries.locate(Path.of(System.getProperty("java.io.tmpdir"),
                "hookshard-pg-binaries"));
        for (int i = 0; i < SHARD_IDS.size(); i++) {
            // fsync off: the faults kill processes, not the machine, and the page cache keeps what a crash leaves.
            String id = SHARD_IDS.get(i);
            shards.add(new PostgresServer(id, binaries, directory.resolve(id), ports[2 + i], false));
        }
        this.config = directory.resolve("chaos-config.yml");
        try (InputStream in = Cluster.class.getResourceAsStream("/chaos-config.yml")) {
            Files.copy(in, config, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Starts the broker and the shards, migrates the shards, then starts the first two instances. */
    void start() throws Exception {
        broker.start();
        for (PostgresServer shard : shards) {
            shard.start();
        }
        for (int i = 1; i <= BASE_INSTANCES + 1; i++) {
            int[] ports = Ports.freePorts(2);
            int port = ports[0];
            int adminPort = ports[1];
            instances.add(new ServiceInstance("instance-" + i, serviceJar, config, environment(port, adminPort),
                    logs.resolve("instance-" + i + ".log"), port, adminPort));
        }
        migrate();
        for (int i = 0; i < BASE_INSTANCES; i++) {
            startInstance(i);
        }
    }

    /** SIGKILL of the broker and a start on the same data and ports; {@link #whileBrokerUp} waits meanwhile. */
    void crashBroker() {
        brokerLock.lock();
        try {
            broker.kill();
            broker.start();
        } finally {
            brokerLock.unlock();
        }
    }

    /** Runs {@code work} while no fault takes the broker down (the run's own writes to the topics). */
    <T> T whileBrokerUp(Callable<T> work) throws Exception {
        brokerLock.lock();
        try {
            return work.call();
        } finally {
            brokerLock.unlock();
        }
    }

    boolean brokerRunning() {
        return broker.isRunning();
    }

    String bootstrapServers() {
        return broker.bootstrapServers();
    }

    PostgresServer shard(int index) {
        return shards.get(index);
    }

    /** Shard id to JDBC URL, in configuration order. */
    Map<String, String> shardUrls() {
        Map<String, String> urls = new TreeMap<>();
        for (int i = 0; i < SHARD_IDS.size(); i++) {
            urls.put(SHARD_IDS.get(i), shards.get(i).jdbcUrl());
        }
        return urls;
    }

    ServiceInstance instance(int index) {
        return instances.get(index);
    }

    List<ServiceInstance> instances() {
        return List.copyOf(instances);
    }

    void startInstance(int index) throws IOException, InterruptedException {
        ServiceInstance instance = instances.get(index);
        instance.start();
        endpoints.add(instance.name(), instance.base());
    }

    /** SIGKILL; the provider finds out from its next request, as a load balancer would take it out of service. */
    void killInstance(int index) {
        ServiceInstance instance = instances.get(index);
        instance.kill();
        endpoints.remove(instance.name());
    }

    /** Out of service first, then SIGTERM, as a rolling restart drains an instance. */
    void stopInstance(int index) {
        ServiceInstance instance = instances.get(index);
        endpoints.remove(instance.name());
        instance.stop();
    }

    @Override
    public void close() {
        for (ServiceInstance instance : instances) {
            endpoints.remove(instance.name());
            instance.stop();
        }
        broker.stop();
        shards.forEach(PostgresServer::stop);
    }

    private Map<String, String> environment(int port, int adminPort) {
        Map<String, String> environment = new TreeMap<>(Map.of(
                "HOOKSHARD_PORT", Integer.toString(port),
                "HOOKSHARD_ADMIN_PORT", Integer.toString(adminPort),
                "KAFKA_BROKERS", broker.bootstrapServers(),
                "HOOKSHARD_WEBHOOK_SECRETS", Signer.SECRET));
        for (int i = 0; i < SHARD_IDS.size(); i++) {
            environment.put("SHARD_" + (char) ('A' + i) + "_URL", shards.get(i).jdbcUrl());
        }
        return environment;
    }

    /** {@code shards migrate}, as an operator runs it before the first start. */
    private void migrate() throws IOException, InterruptedException {
        Path log = logs.resolve("migrate.log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", serviceJar.toString(), "shards", "migrate", config.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment(0, 0));
        Process process = builder.start();
        if (!process.waitFor(3, TimeUnit.MINUTES) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException("shards migrate failed; see " + log);
        }
        LOG.info("migrated {}", SHARD_IDS);
    }
}
