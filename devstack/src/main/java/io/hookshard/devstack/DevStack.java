package io.hookshard.devstack;

import ch.qos.logback.classic.LoggerContext;
import io.dropwizard.core.setup.Environment;
import io.hookshard.HookshardApplication;
import io.hookshard.HookshardConfiguration;
import io.hookshard.embedded.InProcessKafkaBroker;
import io.hookshard.embedded.KafkaBroker;
import io.hookshard.embedded.PostgresBinaries;
import io.hookshard.embedded.PostgresServer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Dev mode: a local Kafka broker (127.0.0.1:9092), local PostgreSQL shards (two by default, shard-a on 54321, shard-b
 * on 54322; {@code --shards N} runs shard-c on 54323 and so on, see {@link DevConfig}) and Hookshard itself (8080,
 * admin 127.0.0.1:8081) in one process, with no setup. Data lives in .dev-data (or HOOKSHARD_DEV_DATA) and is reused
 * by the next start. Ctrl-C stops the service first (consumers commit), then the broker, then the shards. A shard whose
 * postgres dies meanwhile is started again ({@link ShardWatcher}); one left by a dev mode killed with kill -9 is stopped
 * before the next start ({@link DevPortCheck}).
 * The servers' ports move with HOOKSHARD_DEV_*_PORT (see {@link DevPorts}), the service's with config.yml.
 */
public final class DevStack {
    /** Dev mode's well-known webhook secret; config.yml itself trusts no secret unless one is configured. */
    public static final String DEV_SECRET = "whsec_aG9va3NoYXJkLWRldi1zZWNyZXQtbm90LWZvci1wcm9kdWN0aW9u";
    /** Dev mode's well-known keys of the providers' own endpoints (README, "Providers' own webhooks"). */
    public static final String DEV_ADYEN_HMAC_KEY = "686F6F6B73686172642D6465762D616479656E2D6B65792D6E6F742D70726F64";
    public static final String DEV_CHECKOUT_SECRET = "hookshard-dev-checkout-secret-not-for-production";
    private static final Logger LOG = LoggerFactory.getLogger(DevStack.class);

    private DevStack() {
    }

    public static void main(String[] args) throws Exception {
        DevArguments arguments;
        try {
            arguments = DevArguments.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Path config = arguments.config();
        if (!Files.isRegularFile(config)) {
            System.err.println("no " + config.toAbsolutePath() + ": run dev mode from the repository root, or pass the"
                    + " config file as the first argument");
            System.exit(2);
        }
        String dataEnv = System.getenv("HOOKSHARD_DEV_DATA");
        Path data = Path.of(dataEnv == null || dataEnv.isBlank() ? ".dev-data" : dataEnv).toAbsolutePath();
        int shardCount = DevShards.count(arguments.shards(), data);
        DevPorts ports;
        try {
            ports = DevPorts.from(System.getenv(), shardCount);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Files.createDirectories(data);

        KafkaBroker kafka = new InProcessKafkaBroker(data.resolve("kafka"), ports.kafka(), ports.kafkaController());
        PostgresBinaries binaries = PostgresBinaries.locate(data.resolve("pg-binaries"));
        List<PostgresServer> shards = new ArrayList<>();
        for (int i = 0; i < shardCount; i++) {
            shards.add(new PostgresServer(DevShards.id(i), binaries, data.resolve(DevShards.id(i)),
                    ports.shards().get(i), true).stopOnJvmExit(false));
        }
        Path runWith;
        try {
            runWith = DevConfig.prepare(config, shards.stream().map(PostgresServer::jdbcUrl).toList(), data);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        try {
            DevPortCheck.clear(ports, shards);
        } catch (IllegalStateException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        AtomicReference<Server> jetty = new AtomicReference<>();
        ShardWatcher watcher = new ShardWatcher(shards);
        // The only hook that stops anything: Jetty's own is turned off (DevApplication), the shards' too (above), and
        // the shards run in sessions of their own, so the terminal's Ctrl-C (or SIGHUP) reaches this JVM alone.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stopInOrder(watcher, jetty.get(), kafka, shards),
                "devstack-stop"));

        shards.forEach(PostgresServer::start);
        watcher.start();
        kafka.start();

        // config.yml reads env vars; dev mode adds its own defaults as Dropwizard overrides (dw.*) instead.
        defaultTo("HOOKSHARD_WEBHOOK_SECRETS", "dw.webhooks.secrets", DEV_SECRET);
        defaultTo("HOOKSHARD_STRIPE_SECRETS", "dw.webhooks.providers.stripe.secrets", DEV_SECRET);
        defaultTo("HOOKSHARD_ADYEN_HMAC_KEYS", "dw.webhooks.providers.adyen.secrets", DEV_ADYEN_HMAC_KEY);
        defaultTo("HOOKSHARD_CHECKOUT_SECRETS", "dw.webhooks.providers.checkout.secrets", DEV_CHECKOUT_SECRET);
        defaultTo("HOOKSHARD_MIGRATE_ON_START", "dw.shards.migrateOnStart", "true");
        defaultTo("KAFKA_BROKERS", "dw.kafka.bootstrapServers", kafka.bootstrapServers());
        for (int i = 0; i < shards.size(); i++) {
            defaultTo("SHARD_" + DevShards.letter(i).toUpperCase(java.util.Locale.ROOT) + "_URL",
                    "dw.shards.shards[" + i + "].database.url", shards.get(i).jdbcUrl());
        }
        // One local broker keeps one copy by design: no durability warning in dev mode.
        defaultTo("KAFKA_WARN_BELOW_REPLICATION_FACTOR", "dw.kafka.topics.warnBelowReplicationFactor", "1");
        defaultTo("KAFKA_WARN_BELOW_MIN_INSYNC_REPLICAS", "dw.kafka.topics.warnBelowMinInSyncReplicas", "1");
        new DevApplication(jetty).run("server", runWith.toString());
        Path sample = writeSample(data);
        System.out.println(banner(jetty.get(), ports, data, sample, shards, runWith));
    }

    /**
     * The service first, so that its consumers commit while the broker and the shards still serve them; then the
     * broker; then the shards. Each stop logs how long it took. Before all, the watcher: no shard starts again now.
     */
    private static void stopInOrder(ShardWatcher watcher, Server service, KafkaBroker kafka,
                                    List<PostgresServer> shards) {
        LOG.info("stopping dev mode: the service, then Kafka, then the shards");
        watcher.stop();
        if (service != null) {
            long started = System.nanoTime();
            try {
                service.stop();
                LOG.info("service stopped in {} ms", Duration.ofNanos(System.nanoTime() - started).toMillis());
            } catch (Exception e) {
                LOG.error("the service failed to stop after {} ms; stopping Kafka and the shards anyway",
                        Duration.ofNanos(System.nanoTime() - started).toMillis(), e);
            }
        }
        try {
            kafka.stop();
        } catch (RuntimeException e) {
            LOG.error("Kafka failed to stop; stopping the shards anyway", e);
        }
        shards.forEach(PostgresServer::stop);
        // The console appender is asynchronous and its thread a daemon: stopping logback flushes the lines above
        // before the JVM halts.
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logback) {
            logback.stop();
        }
    }

    private static void defaultTo(String variable, String override, String value) {
        if (isBlank(System.getenv(variable))) {
            System.setProperty(override, value);
        }
    }

    private static Path writeSample(Path data) throws IOException {
        Path sample = data.resolve("sample-order.json");
        Files.writeString(sample, """
                {"provider_event_id":"evt-dev-1","user_id":"user-dev-1","order_id":"order-dev-1","status":"paid",\
                "amount_minor":1999,"currency":"EUR","occurred_at":"2026-11-23T10:00:00Z","note":"extra fields are kept"}
                """, StandardCharsets.UTF_8);
        // The providers' own formats, for the README's examples; `sign --scheme adyen` adds the items' signatures.
        Files.writeString(data.resolve("sample-stripe.json"), """
                {"id":"evt_dev_1","object":"event","type":"charge.succeeded","created":1795168800,\
                "data":{"object":{"id":"ch_dev_1","object":"charge","amount":2500,"currency":"eur",\
                "metadata":{"user_id":"user-dev-2","order_id":"order-dev-2"}}}}
                """, StandardCharsets.UTF_8);
        Files.writeString(data.resolve("sample-adyen.json"), """
                {"live":"false","notificationItems":[{"NotificationRequestItem":{"eventCode":"AUTHORISATION",\
                "success":"true","pspReference":"7914073381342284","merchantAccountCode":"DevShop",\
                "merchantReference":"order-dev-3","amount":{"value":1200,"currency":"EUR"},\
                "eventDate":"2026-11-20T11:00:00+01:00","additionalData":{"shopperReference":"user-dev-3"}}},\
                {"NotificationRequestItem":{"eventCode":"CAPTURE","success":"true","pspReference":"8816178952135121",\
                "originalReference":"7914073381342284","merchantAccountCode":"DevShop",\
                "merchantReference":"order-dev-3","amount":{"value":1200,"currency":"EUR"},\
                "eventDate":"2026-11-20T11:05:00+01:00","additionalData":{"shopperReference":"user-dev-3"}}}]}
                """, StandardCharsets.UTF_8);
        Files.writeString(data.resolve("sample-checkout.json"), """
                {"id":"evt_dev_4","type":"payment_captured","created_on":"2026-11-20T10:00:00Z",\
                "data":{"id":"pay_dev_4","amount":900,"currency":"EUR","reference":"order-dev-4",\
                "metadata":{"user_id":"user-dev-4"}}}
                """, StandardCharsets.UTF_8);
        return sample;
    }

    private static String banner(Server server, DevPorts ports, Path data, Path sample, List<PostgresServer> shards,
                                 Path config) {
        String secret = isBlank(System.getenv("HOOKSHARD_WEBHOOK_SECRETS")) ? DEV_SECRET
                : "(from HOOKSHARD_WEBHOOK_SECRETS)";
        int app = localPort(server, "application");
        int admin = localPort(server, "admin");
        StringBuilder shardLines = new StringBuilder();
        for (int i = 0; i < shards.size(); i++) {
            String variable = "SHARD_" + DevShards.letter(i).toUpperCase(java.util.Locale.ROOT) + "_URL";
            String url = isBlank(System.getenv(variable)) ? shards.get(i).jdbcUrl()
                    + (i == 0 ? " (user postgres, no password)" : "")
                    : System.getenv(variable).strip() + " (" + variable + "; dev mode's own is unused)";
            shardLines.append(i == 0 ? "  shards   " : "           ").append(shards.get(i).name()).append(' ')
                    .append(url).append('\n');
        }
        String last = shards.get(shards.size() - 1).name();
        // The service follows KAFKA_BROKERS where it is set; the banner must name the broker it really uses.
        String kafka = isBlank(System.getenv("KAFKA_BROKERS")) ? "127.0.0.1:" + ports.kafka() + "          "
                : System.getenv("KAFKA_BROKERS").strip() + " (KAFKA_BROKERS; dev mode's own on " + ports.kafka()
                + " is unused)\n     ";
        return """

                ==================================================================================================
                Hookshard dev mode is up.
                  app      http://localhost:%d        admin  http://127.0.0.1:%d (healthcheck, metrics, tasks)
                  kafka    %s      topics orders.webhooks, disputes.webhooks (+ .dlq), payments.events
                %s  config   %s
                  data     %s (reused by the next start; delete it to start afresh)
                  secret   %s (dev only)

                Send a signed sample order (in another terminal, from the repository root):
                  HOOKSHARD_WEBHOOK_SECRETS=%s \\
                    java -jar service/target/hookshard.jar sign %s \\
                    --url http://localhost:%d/webhooks/payments/orders | sh
                Then look at what was stored:
                  curl -s http://localhost:%d/orders/order-dev-1
                  curl -s http://localhost:%d/users/user-dev-1/orders
                Stripe, Adyen and Checkout.com post their own formats to /webhooks/stripe, /webhooks/adyen and
                /webhooks/checkout; samples are beside sample-order.json (README, "Providers' own webhooks").
                Move buckets between shards while webhooks flow (README, "Adding a shard"), e.g.:
                  java -jar service/target/hookshard.jar shards move %s --buckets 0-255 --to %s
                  curl -s -X POST http://127.0.0.1:%d/tasks/bucket-map
                Ctrl-C stops everything: the service, then Kafka, then the shards.
                ==================================================================================================
                """.formatted(app, admin, kafka, shardLines, config, data, secret, DEV_SECRET, sample, app, app,
                app, config, last, admin);
    }

    private static int localPort(Server server, String connector) {
        return Arrays.stream(server.getConnectors())
                .filter(candidate -> connector.equals(candidate.getName()) && candidate instanceof ServerConnector)
                .mapToInt(candidate -> ((ServerConnector) candidate).getLocalPort())
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("the service has no " + connector + " connector"));
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
