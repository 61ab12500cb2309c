package io.hookshard.support;

import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;
import io.hookshard.HookshardApplication;
import io.hookshard.HookshardConfiguration;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real Hookshard (Jetty, Jersey, producer, consumers, relays, pools) on random ports, against real servers, with
 * topics, consumer group and shard databases of its own. Several may run at once (each has its own override prefix).
 */
public final class TestApp implements AutoCloseable {
    public static final String SECRET = "whsec_dGVzdC1zZWNyZXQtZm9yLWhvb2tzaGFyZC1pdHM=";
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final String bootstrapServers;
    private final List<String> shardUrls;
    private final String ordersTopic;
    private final String disputesTopic;
    private final String eventsTopic;
    private final String groupId;
    private final List<Setting> extra;
    private String configResource = "test-config.yml";
    private DropwizardTestSupport<HookshardConfiguration> support;

    private TestApp(String bootstrapServers, List<String> shardUrls, String namespace, List<Setting> extra) {
        this.bootstrapServers = bootstrapServers;
        this.shardUrls = List.copyOf(shardUrls);
        this.ordersTopic = "orders.webhooks." + namespace;
        this.disputesTopic = "disputes.webhooks." + namespace;
        this.eventsTopic = "payments.events." + namespace;
        this.groupId = "hookshard-" + namespace;
        this.extra = List.copyOf(extra);
    }

    /** An app on the shared broker and two fresh databases on the shared shards. */
    public static TestApp onSharedInfrastructure(String... overrides) {
        TestInfrastructure infrastructure = TestInfrastructure.shared();
        return new TestApp(infrastructure.bootstrapServers(), infrastructure.shards().stream()
                .map(TestInfrastructure::freshDatabase).toList(), newNamespace(), parse(overrides));
    }

    /** An app on the given servers; {@code namespace} names its topics and group, so two apps can share them. */
    public static TestApp on(String bootstrapServers, List<String> shardUrls, String namespace, String... overrides) {
        return new TestApp(bootstrapServers, shardUrls, namespace, parse(overrides));
    }

    public static String newNamespace() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    /** Another instance of the same deployment: same topics, group and shards. */
    public TestApp sibling(String... overrides) {
        return withShards(shardUrls, overrides);
    }

    /** An instance of the same deployment (topics, group) on other shard databases. */
    public TestApp withShards(List<String> otherShardUrls, String... overrides) {
        return new TestApp(bootstrapServers, otherShardUrls, namespace(), parse(overrides));
    }

    public String namespace() {
        return ordersTopic.substring("orders.webhooks.".length());
    }

    /** Runs with another configuration file of the test resources (same overrides). */
    public TestApp withConfig(String resource) {
        this.configResource = resource;
        return this;
    }

    public TestApp start() throws Exception {
        String prefix = "hs" + INSTANCES.incrementAndGet() + ".";
        List<ConfigOverride> overrides = new ArrayList<>();
        overrides.add(ConfigOverride.config(prefix, "kafka.bootstrapServers", bootstrapServers));
        overrides.add(ConfigOverride.config(prefix, "kafka.topics.orders", ordersTopic));
        overrides.add(ConfigOverride.config(prefix, "kafka.topics.disputes", disputesTopic));
        overrides.add(ConfigOverride.config(prefix, "kafka.topics.events", eventsTopic));
        overrides.add(ConfigOverride.config(prefix, "consumers.groupId", groupId));
        for (int i = 0; i < shardUrls.size(); i++) {
            overrides.add(ConfigOverride.config(prefix, "shards.shards[" + i + "].database.url", shardUrls.get(i)));
        }
        for (Setting setting : extra) {
            overrides.add(ConfigOverride.config(prefix, setting.key(), setting.value()));
        }
        support = new DropwizardTestSupport<>(HookshardApplication.class,
                ResourceHelpers.resourceFilePath(configResource), prefix, overrides.toArray(ConfigOverride[]::new));
        try {
            support.before();
        } catch (Exception | Error e) {
            try {
                support.after();
            } catch (RuntimeException ignored) {
                // the start failed half-way; what could be stopped is stopped
            }
            support = null;
            throw e;
        }
        return this;
    }

    /** A graceful stop: consumers finish their batch and commit, the producer flushes. */
    public void stop() {
        if (support != null) {
            support.after();
            support = null;
        }
    }

    @Override
    public void close() {
        stop();
    }

    public URI url(String path) {
        return URI.create("http://127.0.0.1:" + support.getLocalPort() + path);
    }

    public URI adminUrl(String path) {
        return URI.create("http://127.0.0.1:" + support.getAdminPort() + path);
    }

    public String ordersTopic() {
        return ordersTopic;
    }

    public String disputesTopic() {
        return disputesTopic;
    }

    public String eventsTopic() {
        return eventsTopic;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public List<String> shardUrls() {
        return shardUrls;
    }

    /** The JDBC URL of the shard database that the router names for {@code key}, in configuration order. */
    public String shardUrlOf(String key) {
        List<String> shardIds = configuration().getShards().bucketMap().shardIds();
        return shardUrls.get(shardIds.indexOf(configuration().getShards().router().shardOf(key)));
    }

    public HookshardConfiguration configuration() {
        return support.getConfiguration();
    }

    public io.dropwizard.core.setup.Environment environment() {
        return support.getEnvironment();
    }

    private static List<Setting> parse(String... overrides) {
        List<Setting> parsed = new ArrayList<>();
        for (String override : overrides) {
            int equals = override.indexOf('=');
            parsed.add(new Setting(override.substring(0, equals), override.substring(equals + 1)));
        }
        return parsed;
    }

    /** A {@code key=value} configuration override, prefixed only when the app starts. */
    private record Setting(String key, String value) {
    }
}
