package io.hookshard.devstack;

import io.dropwizard.core.setup.Environment;
import io.hookshard.HookshardApplication;
import io.hookshard.HookshardConfiguration;
import io.hookshard.embedded.InProcessKafkaBroker;
import io.hookshard.embedded.KafkaBroker;
import io.hookshard.embedded.PostgresBinaries;
import io.hookshard.embedded.PostgresServer;
import org.eclipse.jetty.server.Server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Dev mode: a local Kafka broker (127.0.0.1:9092), two local PostgreSQL shards (54321, 54322) and Hookshard itself
 * (8080, admin 127.0.0.1:8081) in one process, with no setup. Data lives in .dev-data (or HOOKSHARD_DEV_DATA) and is
 * reused by the next start. Ctrl-C stops the service first (consumers commit), then the broker, then the shards.
 */
public final class DevStack {
    /** Dev mode's well-known webhook secret; config.yml itself trusts no secret unless one is configured. */
    public static final String DEV_SECRET = "whsec_aG9va3NoYXJkLWRldi1zZWNyZXQtbm90LWZvci1wcm9kdWN0aW9u";
    static final int KAFKA_PORT = 9092;
    static final int KAFKA_CONTROLLER_PORT = 9093;
    static final int SHARD_A_PORT = 54321;
    static final int SHARD_B_PORT = 54322;

    private DevStack() {
    }

    public static void main(String[] args) throws Exception {
        Path config = Path.of(args.length > 0 ? args[0] : "config.yml");
        if (!Files.isRegularFile(config)) {
            System.err.println("no " + config.toAbsolutePath() + ": run dev mode from the repository root, or pass the"
                    + " config file as the first argument");
            System.exit(2);
        }
        String dataEnv = System.getenv("HOOKSHARD_DEV_DATA");
        Path data = Path.of(dataEnv == null || dataEnv.isBlank() ? ".dev-data" : dataEnv).toAbsolutePath();
        Files.createDirectories(data);

        KafkaBroker kafka = new InProcessKafkaBroker(data.resolve("kafka"), KAFKA_PORT, KAFKA_CONTROLLER_PORT);
        PostgresBinaries binaries = PostgresBinaries.locate(data.resolve("pg-binaries"));
        List<PostgresServer> shards = List.of(
                new PostgresServer("shard-a", binaries, data.resolve("shard-a"), SHARD_A_PORT, true).stopOnJvmExit(false),
                new PostgresServer("shard-b", binaries, data.resolve("shard-b"), SHARD_B_PORT, true).stopOnJvmExit(false));
        AtomicReference<Server> jetty = new AtomicReference<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopQuietly(jetty.get());
            kafka.stop();
            shards.forEach(PostgresServer::stop);
        }, "devstack-stop"));

        shards.forEach(PostgresServer::start);
        kafka.start();

        // config.yml reads env vars; dev mode adds its own defaults as Dropwizard overrides (dw.*) instead.
        if (isBlank(System.getenv("HOOKSHARD_WEBHOOK_SECRETS"))) {
            System.setProperty("dw.webhooks.secrets", DEV_SECRET);
        }
        if (isBlank(System.getenv("HOOKSHARD_MIGRATE_ON_START"))) {
            System.setProperty("dw.shards.migrateOnStart", "true");
        }
        // One local broker keeps one copy by design: no durability warning in dev mode.
        if (isBlank(System.getenv("KAFKA_WARN_BELOW_REPLICATION_FACTOR"))) {
            System.setProperty("dw.kafka.topics.warnBelowReplicationFactor", "1");
        }
        if (isBlank(System.getenv("KAFKA_WARN_BELOW_MIN_INSYNC_REPLICAS"))) {
            System.setProperty("dw.kafka.topics.warnBelowMinInSyncReplicas", "1");
        }
        new DevApplication(jetty).run("server", config.toString());
        Path sample = writeSample(data);
        System.out.println(banner(data, sample));
    }

    private static Path writeSample(Path data) throws IOException {
        Path sample = data.resolve("sample-order.json");
        Files.writeString(sample, """
                {"provider_event_id":"evt-dev-1","user_id":"user-dev-1","order_id":"order-dev-1","status":"paid",\
                "amount_minor":1999,"currency":"EUR","occurred_at":"2026-11-23T10:00:00Z","note":"extra fields are kept"}
                """, StandardCharsets.UTF_8);
        return sample;
    }

    private static String banner(Path data, Path sample) {
        String secret = isBlank(System.getenv("HOOKSHARD_WEBHOOK_SECRETS")) ? DEV_SECRET
                : "(from HOOKSHARD_WEBHOOK_SECRETS)";
        return """

                ==================================================================================================
                Hookshard dev mode is up.
                  app      http://localhost:8080        admin  http://127.0.0.1:8081 (healthcheck, metrics, tasks)
                  kafka    127.0.0.1:%d                topics orders.webhooks, disputes.webhooks (+ .dlq)
                  shards   shard-a jdbc:postgresql://127.0.0.1:%d/hookshard (user postgres, no password)
                           shard-b jdbc:postgresql://127.0.0.1:%d/hookshard
                  data     %s (reused by the next start; delete it to start afresh)
                  secret   %s (dev only)

                Send a signed sample order (in another terminal, from the repository root):
                  HOOKSHARD_WEBHOOK_SECRETS=%s \\
                    java -jar service/target/hookshard.jar sign %s \\
                    --url http://localhost:8080/webhooks/payments/orders | sh
                Then look at what was stored:
                  curl -s http://localhost:8080/orders/order-dev-1
                  curl -s http://localhost:8080/users/user-dev-1/orders
                Ctrl-C stops everything.
                ==================================================================================================
                """.formatted(KAFKA_PORT, SHARD_A_PORT, SHARD_B_PORT, data, secret, DEV_SECRET, sample);
    }

    private static void stopQuietly(Server server) {
        if (server == null) {
            return;
        }
        try {
            server.stop();
        } catch (Exception e) {
            System.err.println("stopping the service failed: " + e);
        }
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }

    /** Hookshard, plus a handle on its Jetty server so that dev mode can stop it before the servers it uses. */
    private static final class DevApplication extends HookshardApplication {
        private final AtomicReference<Server> jetty;

        DevApplication(AtomicReference<Server> jetty) {
            this.jetty = jetty;
        }

        @Override
        public void run(HookshardConfiguration config, Environment environment) {
            super.run(config, environment);
            environment.lifecycle().addServerLifecycleListener(server -> {
                // Dev mode's own hook stops the server and waits for it before the broker and shards go; Jetty's
                // hook would stop it concurrently and let that wait return early.
                server.setStopAtShutdown(false);
                jetty.set(server);
            });
        }
    }
}
