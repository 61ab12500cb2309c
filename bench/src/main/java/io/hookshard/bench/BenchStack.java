package io.hookshard.bench;

import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.hookshard.HookshardApplication;
import io.hookshard.HookshardConfiguration;
import io.hookshard.embedded.ChildProcessKafkaBroker;
import io.hookshard.embedded.PostgresBinaries;
import io.hookshard.embedded.PostgresServer;
import io.hookshard.embedded.Ports;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One broker and two shards (or more, for the move benchmark), fsync on, for the whole run, each a process of its
 * own; each phase gets its own app, topics and databases. The ingest phases run every server under test as a process
 * of its own too.
 */
final class BenchStack implements AutoCloseable {
    static final String SECRET = "whsec_YmVuY2htYXJrLXNlY3JldC1mb3ItaG9va3NoYXJk";
    /** kafka-server-start.sh's own heap and GC settings, as the broker runs in production. */
    private static final List<String> BROKER_JVM_OPTIONS = List.of("-Xms1g", "-Xmx1g", "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20", "-XX:InitiatingHeapOccupancyPercent=35", "-XX:+ExplicitGCInvokesConcurrent",
            "-Djava.awt.headless=true");

    private final Path root;
    private final GcLog brokerGc;
    private final MachineStalls stalls = new MachineStalls();
    private final ChildProcessKafkaBroker kafka;
    private final List<PostgresServer> shards;
    private final List<DropwizardTestSupport<?>> apps = new ArrayList<>();

    BenchStack(Path root) throws Exception {
        this(root, 2);
    }

    /** With {@code shardCount} shards: bench-a, bench-b, bench-c, ... */
    BenchStack(Path root, int shardCount) throws Exception {
        this.root = root;
        Files.createDirectories(root);
        PostgresBinaries binaries = PostgresBinaries.locate(root.resolve("pg-binaries"));
        int[] ports = Ports.freePorts(2);
        Path gcLog = root.resolve("broker-gc.log");
        brokerGc = new GcLog(gcLog);
        List<String> brokerOptions = new ArrayList<>(BROKER_JVM_OPTIONS);
        brokerOptions.add(GcLog.option(gcLog));
        kafka = new ChildProcessKafkaBroker(root.resolve("kafka"), ports[0], ports[1], brokerOptions).start();
        List<PostgresServer> started = new ArrayList<>();
        for (int i = 0; i < shardCount; i++) {
            char letter = (char) ('a' + i);
            started.add(shard("bench-" + letter, binaries, root.resolve("shard-" + letter)));
        }
        shards = List.copyOf(started);
    }

    /**
     * Durable (fsync, full-page writes and synchronous commit on) and sized as a write-heavy primary would be: the
     * defaults (128 MB of buffers, a checkpoint every ~1 GB of WAL) are for small machines and evict and checkpoint
     * several times within one sink phase. New WAL segments are not zero-filled first: a primary that has run a
     * while recycles its segments, and a fresh cluster zero-filling 4-5 GB of them made every invocation's first sink
     * run 20% slower than the next (the shards' statement time: 230 s against 173-187 s; with this, 185 s).
     * pg_stat_statements is loaded, and created in template1 so that every deployment's database has it: the sink
     * reports where the shards' time went ({@link ShardStatements}).
     */
    private static PostgresServer shard(String name, PostgresBinaries binaries, Path data) throws SQLException {
        PostgresServer shard = new PostgresServer(name, binaries, data, Ports.freePort(), true)
                .setting("shared_buffers", "1GB")
                .setting("max_wal_size", "8GB")
                .setting("checkpoint_timeout", "30min")
                .setting("wal_init_zero", "off")
                .setting("shared_preload_libraries", "pg_stat_statements")
                .start();
        try (Connection connection = DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + shard.port() + "/template1", "postgres", "");
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        }
        return shard;
    }

    /** The broker's GC pauses, to set beside a load's latency tail. */
    GcLog brokerGc() {
        return brokerGc;
    }

    /** The machine's steal and I/O stalls, second by second, to set beside a window's worst seconds. */
    MachineStalls stalls() {
        return stalls;
    }

    String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    /** The broker's and each shard's process, by name, whose trees {@link Cpu#byTree} measures. */
    Map<String, Long> serverProcesses() {
        Map<String, Long> processes = new java.util.LinkedHashMap<>();
        processes.put("broker", kafka.pid());
        shards.forEach(shard -> processes.put("shard " + shard.name(), shard.pid()));
        return processes;
    }

    /** A deployment of its own: topic suffix, consumer group and a fresh database per shard. */
    record Deployment(String namespace, List<String> shardUrls) {
        String ordersTopic() {
            return "orders.webhooks." + namespace;
        }

        String disputesTopic() {
            return "disputes.webhooks." + namespace;
        }

        String eventsTopic() {
            return "payments.events." + namespace;
        }

        /** The same databases for another service: a consumer group and an events topic of its own. */
        Deployment rerun() {
            return new Deployment(UUID.randomUUID().toString().substring(0, 8), shardUrls);
        }
    }

    Deployment newDeployment() throws Exception {
        String namespace = UUID.randomUUID().toString().substring(0, 8);
        List<String> urls = new ArrayList<>();
        for (PostgresServer shard : shards) {
            try (Connection connection = DriverManager.getConnection(
                    "jdbc:postgresql://127.0.0.1:" + shard.port() + "/postgres", "postgres", "");
                 Statement statement = connection.createStatement()) {
                statement.execute("CREATE DATABASE b_" + namespace);
            }
            urls.add("jdbc:postgresql://127.0.0.1:" + shard.port() + "/b_" + namespace);
        }
        return new Deployment(namespace, urls);
    }

    /**
     * Drops a finished deployment's databases and checkpoints every shard, so that the WAL it wrote can be recycled:
     * a sink run leaves gigabytes of tables and WAL, and a whole benchmark run would otherwise fill a small disk.
     */
    void drop(Deployment deployment) throws Exception {
        for (PostgresServer shard : shards) {
            try (Connection connection = DriverManager.getConnection(
                    "jdbc:postgresql://127.0.0.1:" + shard.port() + "/postgres", "postgres", "");
                 Statement statement = connection.createStatement()) {
                statement.execute("DROP DATABASE IF EXISTS b_" + deployment.namespace() + " WITH (FORCE)");
                statement.execute("CHECKPOINT");
            }
        }
    }

    DropwizardTestSupport<HookshardConfiguration> startService(Deployment deployment, int workersPerTopic)
            throws Exception {
        return startService(deployment, workersPerTopic, "bench-config.yml");
    }

    DropwizardTestSupport<HookshardConfiguration> startService(Deployment deployment, int workersPerTopic,
                                                               String configResource) throws Exception {
        String prefix = "bench." + deployment.namespace() + ".";
        List<ConfigOverride> overrides = new ArrayList<>(List.of(
                ConfigOverride.config(prefix, "kafka.bootstrapServers", kafka.bootstrapServers()),
                ConfigOverride.config(prefix, "kafka.topics.orders", deployment.ordersTopic()),
                ConfigOverride.config(prefix, "kafka.topics.disputes", deployment.disputesTopic()),
                ConfigOverride.config(prefix, "consumers.groupId", "hookshard-" + deployment.namespace()),
                ConfigOverride.config(prefix, "consumers.workersPerTopic", Integer.toString(workersPerTopic)),
                ConfigOverride.config(prefix, "webhooks.secrets", SECRET)));
        for (int i = 0; i < deployment.shardUrls().size(); i++) {
            overrides.add(ConfigOverride.config(prefix, "shards.shards[" + i + "].database.url",
                    deployment.shardUrls().get(i)));
        }
        DropwizardTestSupport<HookshardConfiguration> app = new DropwizardTestSupport<>(HookshardApplication.class,
                resource(configResource), prefix, overrides.toArray(ConfigOverride[]::new));
        app.before();
        apps.add(app);
        return app;
    }

    /** The no-op Dropwizard application, as a JVM of its own. */
    Target startBaselineProcess(Path logs, Path jfr) throws Exception {
        int port = Ports.freePort();
        return Target.start("no-op Dropwizard", List.of("-Ddw.server.applicationConnectors[0].port=" + port,
                "-cp", System.getProperty("java.class.path"), BaselineApplication.class.getName(), "server",
                resource("baseline-config.yml")), Map.of(), port, logs.resolve("noop.log"), jfr);
    }

    /** The bare HTTP->Kafka stand-in on this stack's broker, as a JVM of its own, on a topic of its own. */
    Target startBareProcess(Path logs, Path jfr) throws Exception {
        int port = Ports.freePort();
        return Target.start("bare HTTP->Kafka", List.of("-cp", System.getProperty("java.class.path"),
                BareIngest.class.getName(), Integer.toString(port), kafka.bootstrapServers(),
                "bare." + UUID.randomUUID().toString().substring(0, 8)), Map.of(), port, logs.resolve("bare.log"),
                jfr);
    }

    /**
     * Hookshard as it is deployed: the runnable jar ({@code server <config>}) as a JVM of its own, on this stack's
     * broker and shards. No consumers and no outbox relay: the ingest phases measure ingest alone.
     */
    Target startServiceProcess(Deployment deployment, Path logs, Path jfr) throws Exception {
        return startServiceProcess(deployment, deployment.ordersTopic(), 0, false, logs.resolve("hookshard.log"), jfr);
    }

    /**
     * The runnable jar as a JVM of its own with {@code workersPerTopic} consumers per topic and the outbox relay on
     * or off, consuming {@code ordersTopic} (a sink phase's pre-filled topic is shared by its repetitions, each with
     * a consumer group and databases of its own).
     */
    Target startServiceProcess(Deployment deployment, String ordersTopic, int workersPerTopic, boolean relay,
                               Path log, Path jfr) throws Exception {
        return startServiceProcess(deployment, ordersTopic, workersPerTopic, relay, List.of(), log, jfr);
    }

    /** The same, with the phase's own settings ({@code -Ddw.x=y}), which {@code -Dbench.serviceOptions} overrides. */
    Target startServiceProcess(Deployment deployment, String ordersTopic, int workersPerTopic, boolean relay,
                               List<String> settings, Path log, Path jfr) throws Exception {
        int[] ports = Ports.freePorts(2);
        int port = ports[0];
        List<String> arguments = new ArrayList<>(List.of(
                "-Ddw.server.applicationConnectors[0].port=" + port,
                "-Ddw.server.adminConnectors[0].port=" + ports[1],
                "-Ddw.kafka.bootstrapServers=" + kafka.bootstrapServers(),
                "-Ddw.kafka.topics.orders=" + ordersTopic,
                "-Ddw.kafka.topics.disputes=" + deployment.disputesTopic(),
                "-Ddw.kafka.topics.events=" + deployment.eventsTopic(),
                "-Ddw.consumers.groupId=hookshard-" + deployment.namespace(),
                "-Ddw.consumers.workersPerTopic=" + workersPerTopic,
                "-Ddw.outbox.relay=" + relay,
                "-Ddw.webhooks.secrets=" + SECRET));
        for (int i = 0; i < deployment.shardUrls().size(); i++) {
            arguments.add("-Ddw.shards.shards[" + i + "].database.url=" + deployment.shardUrls().get(i));
        }
        arguments.addAll(settings);
        // e.g. -Dbench.serviceOptions=-Ddw.outbox.retention=0s: a setting of the service to measure against the default.
        String options = System.getProperty("bench.serviceOptions", "").strip();
        if (!options.isEmpty()) {
            arguments.addAll(List.of(options.split("\\s+")));
        }
        Path jar = serviceJar();
        if (Files.exists(jar)) {
            arguments.addAll(List.of("-jar", jar.toString()));
        } else {
            Bench.log("no %s: running the service from the benchmark's class path", jar);
            arguments.addAll(List.of("-cp", System.getProperty("java.class.path"),
                    HookshardApplication.class.getName()));
        }
        arguments.addAll(List.of("server", System.getProperty("bench.serviceConfig", resource("bench-config.yml"))));
        return Target.start("Hookshard", arguments, Map.of(), port, log, jfr);
    }

    /** {@code -Dbench.serviceJar}, else service/target/hookshard.jar of the checkout this jar was built in. */
    private static Path serviceJar() throws Exception {
        if (System.getProperty("bench.serviceJar") != null) {
            return Path.of(System.getProperty("bench.serviceJar"));
        }
        Path benchJar = Path.of(BenchStack.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path checkout = benchJar.toAbsolutePath().getParent().getParent().getParent();
        return checkout.resolve("service").resolve("target").resolve("hookshard.jar");
    }

    void stop(DropwizardTestSupport<?> app) {
        app.after();
        apps.remove(app);
    }

    private static String resource(String name) throws Exception {
        Path file = Files.createTempFile("hookshard-bench-", "-" + name);
        try (var in = BenchStack.class.getResourceAsStream("/" + name)) {
            Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        file.toFile().deleteOnExit();
        return file.toString();
    }

    @Override
    public void close() {
        stalls.close();
        new ArrayList<>(apps).forEach(this::stop);
        kafka.stop();
        shards.forEach(PostgresServer::stop);
        // A sink phase leaves gigabytes of log and table files behind.
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (java.io.IOException e) {
            Bench.log("could not delete %s: %s", root, e);
        }
    }
}
