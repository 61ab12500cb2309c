package io.hookshard.config;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.db.DataSourceFactory;
import io.dropwizard.lifecycle.AutoCloseableManager;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDuration;
import io.hookshard.health.OutboxLagHealthCheck;
import io.hookshard.kafka.TopicInitializer;
import io.hookshard.outbox.OutboxRelays;
import io.hookshard.outbox.RelaySettings;
import io.hookshard.outbox.RelayStatus;
import io.hookshard.outbox.TopicReady;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.jdbi.v3.core.Jdbi;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** The downstream events' relays: one per shard, publishing its outbox to {@code kafka.topics.events}. */
public class OutboxFactory {
    /** Off where CDC (e.g. Debezium's outbox event router) publishes the outbox instead; rows are written either way. */
    private boolean relay = true;

    @Min(1)
    @Max(10_000)
    private int batchSize = 500;

    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
    private Duration pollInterval = Duration.milliseconds(100);

    /** How often an instance whose relay does not hold a shard's lock tries to take it over. */
    @NotNull
    @MinDuration(value = 10, unit = TimeUnit.MILLISECONDS)
    private Duration standbyInterval = Duration.seconds(5);

    /** How long published rows stay in the outbox (to look at, or to re-publish by hand) before they are trimmed. */
    @NotNull
    private Duration retention = Duration.hours(1);

    @NotNull
    @MinDuration(value = 10, unit = TimeUnit.MILLISECONDS)
    private Duration trimInterval = Duration.minutes(1);

    /** An unpublished row older than this makes the (non-critical) outbox-lag health check warn. */
    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
    private Duration lagWarning = Duration.minutes(1);

    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
    private Duration backoffMin = Duration.milliseconds(100);

    @NotNull
    private Duration backoffMax = Duration.seconds(10);

    @NotNull
    private Duration shutdownTimeout = Duration.seconds(10);

    @JsonProperty
    public boolean isRelay() {
        return relay;
    }

    @JsonProperty
    public void setRelay(boolean relay) {
        this.relay = relay;
    }

    @JsonProperty
    public int getBatchSize() {
        return batchSize;
    }

    @JsonProperty
    public void setBatchSize(int batchSize) {
        this.batchSize = batchSize;
    }

    @JsonProperty
    public Duration getPollInterval() {
        return pollInterval;
    }

    @JsonProperty
    public void setPollInterval(Duration pollInterval) {
        this.pollInterval = pollInterval;
    }

    @JsonProperty
    public Duration getStandbyInterval() {
        return standbyInterval;
    }

    @JsonProperty
    public void setStandbyInterval(Duration standbyInterval) {
        this.standbyInterval = standbyInterval;
    }

    @JsonProperty
    public Duration getRetention() {
        return retention;
    }

    @JsonProperty
    public void setRetention(Duration retention) {
        this.retention = retention;
    }

    @JsonProperty
    public Duration getTrimInterval() {
        return trimInterval;
    }

    @JsonProperty
    public void setTrimInterval(Duration trimInterval) {
        this.trimInterval = trimInterval;
    }

    @JsonProperty
    public Duration getLagWarning() {
        return lagWarning;
    }

    @JsonProperty
    public void setLagWarning(Duration lagWarning) {
        this.lagWarning = lagWarning;
    }

    @JsonProperty
    public Duration getBackoffMin() {
        return backoffMin;
    }

    @JsonProperty
    public void setBackoffMin(Duration backoffMin) {
        this.backoffMin = backoffMin;
    }

    @JsonProperty
    public Duration getBackoffMax() {
        return backoffMax;
    }

    @JsonProperty
    public void setBackoffMax(Duration backoffMax) {
        this.backoffMax = backoffMax;
    }

    @JsonProperty
    public Duration getShutdownTimeout() {
        return shutdownTimeout;
    }

    @JsonProperty
    public void setShutdownTimeout(Duration shutdownTimeout) {
        this.shutdownTimeout = shutdownTimeout;
    }

    /**
     * The relays of {@code shards}, managed (started after the shards are migrated: build after
     * {@link ShardsFactory#build}), with their metrics ({@code hookshard.outbox.<shard>.*}) and the outbox-lag health
     * check. Nothing when {@link #isRelay()} is off.
     *
     * @param paused      whether an operator paused the events topic (the consumers-pause task)
     * @param createTopic whether the relays create the events topic (sync mode: there, the service does not need
     *                    the broker to start); otherwise it is created at start with the other topics
     */
    public void build(Environment environment, KafkaFactory kafka, List<ShardFactory> shards, BooleanSupplier paused,
                      boolean createTopic) {
        if (!relay) {
            return;
        }
        TopicsFactory topics = kafka.getTopics();
        TopicReady eventsTopic = () -> {
        };
        if (createTopic) {
            Admin admin = Admin.create(kafka.adminProperties());
            environment.lifecycle().manage(new AutoCloseableManager(admin));
            eventsTopic = new TopicInitializer(admin, topics, List.of(topics.getEvents()))::ensureTopics;
        }
        Map<String, Jdbi> connections = new LinkedHashMap<>();
        shards.forEach(shard -> connections.put(shard.getId(), relayConnection(shard.getDatabase())));
        OutboxRelays relays = new OutboxRelays(connections, new KafkaProducer<>(producerProperties(kafka)),
                topics.getEvents(), eventsTopic, paused, new RelaySettings(batchSize, java(pollInterval),
                java(standbyInterval), java(backoffMin), java(backoffMax), java(retention), java(trimInterval),
                java.time.Duration.ofSeconds(1)), java(shutdownTimeout));
        environment.lifecycle().manage(relays);
        for (RelayStatus status : relays.statuses()) {
            String prefix = MetricRegistry.name("hookshard", "outbox", status.shardId());
            environment.metrics().register(MetricRegistry.name(prefix, "unpublished"),
                    (Gauge<Long>) () -> status.snapshot().unpublished());
            environment.metrics().register(MetricRegistry.name(prefix, "oldest-age-seconds"),
                    (Gauge<Double>) () -> status.snapshot().oldestAgeSeconds());
            environment.metrics().register(MetricRegistry.name(prefix, "active"),
                    (Gauge<Integer>) () -> status.active() ? 1 : 0);
            environment.metrics().register(MetricRegistry.name(prefix, "published"),
                    (Gauge<Long>) status::published);
            environment.metrics().register(MetricRegistry.name(prefix, "failures"),
                    (Gauge<Long>) status::failures);
        }
        environment.healthChecks().register("outbox-lag", new OutboxLagHealthCheck(relays.statuses(),
                java(lagWarning)));
    }

    /** A connection of the relay's own, not pooled: closing it must end the session that holds the relay lock. */
    private static Jdbi relayConnection(DataSourceFactory database) {
        Properties properties = new Properties();
        properties.putAll(database.getProperties());
        properties.put("user", database.getUser());
        if (database.getPassword() != null) {
            properties.put("password", database.getPassword());
        }
        properties.put("ApplicationName", "hookshard-outbox-relay");
        return Jdbi.create(database.getUrl(), properties);
    }

    private static Map<String, Object> producerProperties(KafkaFactory kafka) {
        Map<String, Object> props = kafka.producerProperties("hookshard-outbox");
        // Never give up on a record: a send that expired could let the next record of its partition land before it
        // is sent again. The relay waits for the broker instead (the outbox-lag check says so) and is stopped by close.
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.MAX_VALUE);
        // The idempotent producer keeps each partition in order across retries with up to 5 requests in flight.
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        // A relay sends a whole batch at once: a few milliseconds more linger fill the record batches.
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return props;
    }

    private static java.time.Duration java(Duration duration) {
        return java.time.Duration.ofMillis(duration.toMilliseconds());
    }
}
