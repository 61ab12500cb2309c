package io.hookshard.bench;

import io.dropwizard.core.Configuration;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.hookshard.HookshardApplication;
import io.hookshard.HookshardConfiguration;
import io.hookshard.embedded.InProcessKafkaBroker;
import io.hookshard.embedded.KafkaBroker;
import io.hookshard.embedded.PostgresBinaries;
import io.hookshard.embedded.PostgresServer;
import io.hookshard.embedded.Ports;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * One broker and two shards (or more, for the move benchmark), fsync on, for the whole run; each phase gets its own
 * app, topics and databases.
 */
final class BenchStack implements AutoCloseable {
    static final String SECRET = "whsec_YmVuY2htYXJrLXNlY3JldC1mb3ItaG9va3NoYXJk";

    private final Path root;
    private final KafkaBroker kafka;
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
        kafka = new InProcessKafkaBroker(root.resolve("kafka"), Ports.freePort(), Ports.freePort()).start();
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
     * several times within one sink phase.
     */
    private static PostgresServer shard(String name, PostgresBinaries binaries, Path data) {
        return new PostgresServer(name, binaries, data, Ports.freePort(), true)
                .setting("shared_buffers", "1GB")
                .setting("max_wal_size", "8GB")
                .setting("checkpoint_timeout", "30min")
                .start();
    }

    String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    /** A deployment of its own: topic suffix, consumer group and a fresh database per shard. */
    record Deployment(String namespace, List<String> shardUrls) {
        String ordersTopic() {
            return "orders.webhooks." + namespace;
        }

        String disputesTopic() {
            return "disputes.webhooks." + namespace;
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

    DropwizardTestSupport<Configuration> startBaseline() throws Exception {
        DropwizardTestSupport<Configuration> app = new DropwizardTestSupport<>(BaselineApplication.class,
                resource("baseline-config.yml"));
        app.before();
        apps.add(app);
        return app;
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
