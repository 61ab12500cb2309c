package io.hookshard.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MaxDuration;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.dropwizard.core.setup.Environment;
import io.hookshard.core.EnvelopeCodec;
import io.hookshard.health.ConsumerLagHealthCheck;
import io.hookshard.health.ConsumerWorkersHealthCheck;
import io.hookshard.consume.Backoff;
import io.hookshard.consume.ConsumerControl;
import io.hookshard.consume.ConsumerPool;
import io.hookshard.consume.ConsumerWorkersFactory;
import io.hookshard.consume.DeadLetters;
import io.hookshard.consume.FatalErrors;
import io.hookshard.consume.LagTracker;
import io.hookshard.consume.Parking;
import io.hookshard.consume.ConsumeSettings;
import io.hookshard.consume.ParkTiming;
import io.hookshard.processing.EventSink;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The consumer workers: how many per topic, how they poll, retry and stop. */
public class ConsumersFactory {
    @NotEmpty
    private String groupId = "hookshard";

    /** Workers (one KafkaConsumer thread each) per topic; more than the topic's partitions would sit idle. */
    @Min(0)
    @Max(256)
    private int workersPerTopic = 2;

    @Min(1)
    @Max(10_000)
    private int maxPollRecords = 1000;

    /**
     * Records a worker keeps in memory while they wait for a retry (their shard is down); past this the worker
     * pauses its partitions until the backlog halves. Memory: about this many times the record size.
     */
    @Min(1)
    @Max(1_000_000)
    private int maxWaitingRecords = 20_000;

    @NotNull
    @MinDuration(value = 10, unit = TimeUnit.MILLISECONDS)
    private Duration pollTimeout = Duration.milliseconds(200);

    /**
     * The broker answers a worker's fetch once this many bytes are ready or {@link #fetchMaxWait} has passed. Each
     * answer becomes one transaction per shard, so at moderate rates a larger minimum means fewer, larger
     * transactions (less CPU per event on the service, the broker and the shards) for at most fetchMaxWait of delay.
     */
    @Min(1)
    @Max(52_428_800)
    private int fetchMinBytes = 1;

    @NotNull
    @MinDuration(value = 0, unit = TimeUnit.MILLISECONDS)
    @MaxDuration(value = 10, unit = TimeUnit.SECONDS)
    private Duration fetchMaxWait = Duration.milliseconds(500);

    @NotNull
    private Duration shutdownTimeout = Duration.seconds(15);

    /** How long the group waits for a silent member (a crashed instance) before giving its partitions away. */
    @NotNull
    @MinDuration(value = 6, unit = TimeUnit.SECONDS)
    @MaxDuration(value = 5, unit = TimeUnit.MINUTES)
    private Duration sessionTimeout = Duration.seconds(10);

    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
    private Duration retryBackoffMin = Duration.milliseconds(100);

    @NotNull
    @MaxDuration(value = 10, unit = TimeUnit.MINUTES)
    private Duration retryBackoffMax = Duration.seconds(10);

    /** How long an event that is not applicable yet (chargeback before its order) is retried before it is dead. */
    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.SECONDS)
    private Duration parkWindow = Duration.hours(24);

    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
    private Duration parkBackoffMin = Duration.seconds(30);

    @NotNull
    private Duration parkBackoffMax = Duration.minutes(30);

    /** How often parked records are checked for what they wait for (a chargeback's order). */
    @NotNull
    @MinDuration(value = 10, unit = TimeUnit.MILLISECONDS)
    private Duration parkCheckInterval = Duration.seconds(1);

    @JsonProperty
    public Duration getParkCheckInterval() {
        return parkCheckInterval;
    }

    @JsonProperty
    public void setParkCheckInterval(Duration parkCheckInterval) {
        this.parkCheckInterval = parkCheckInterval;
    }

    /** How long a failed worker waits before its replacement starts, growing while failures repeat. */
    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
    private Duration restartBackoffMin = Duration.seconds(1);

    @NotNull
    private Duration restartBackoffMax = Duration.minutes(1);

    @JsonProperty
    public Duration getRestartBackoffMin() {
        return restartBackoffMin;
    }

    @JsonProperty
    public void setRestartBackoffMin(Duration restartBackoffMin) {
        this.restartBackoffMin = restartBackoffMin;
    }

    @JsonProperty
    public Duration getRestartBackoffMax() {
        return restartBackoffMax;
    }

    @JsonProperty
    public void setRestartBackoffMax(Duration restartBackoffMax) {
        this.restartBackoffMax = restartBackoffMax;
    }

    /** Records behind the log end on one partition past which the consumer-lag health check reports it. */
    @Min(1)
    private long lagThreshold = 10_000;

    @JsonProperty
    public long getLagThreshold() {
        return lagThreshold;
    }

    @JsonProperty
    public void setLagThreshold(long lagThreshold) {
        this.lagThreshold = lagThreshold;
    }

    @JsonProperty
    public Duration getParkWindow() {
        return parkWindow;
    }

    @JsonProperty
    public void setParkWindow(Duration parkWindow) {
        this.parkWindow = parkWindow;
    }

    @JsonProperty
    public Duration getParkBackoffMin() {
        return parkBackoffMin;
    }

    @JsonProperty
    public void setParkBackoffMin(Duration parkBackoffMin) {
        this.parkBackoffMin = parkBackoffMin;
    }

    @JsonProperty
    public Duration getParkBackoffMax() {
        return parkBackoffMax;
    }

    @JsonProperty
    public void setParkBackoffMax(Duration parkBackoffMax) {
        this.parkBackoffMax = parkBackoffMax;
    }

    @JsonProperty
    public String getGroupId() {
        return groupId;
    }

    @JsonProperty
    public void setGroupId(String groupId) {
        this.groupId = groupId;
    }

    @JsonProperty
    public int getWorkersPerTopic() {
        return workersPerTopic;
    }

    @JsonProperty
    public void setWorkersPerTopic(int workersPerTopic) {
        this.workersPerTopic = workersPerTopic;
    }

    @JsonProperty
    public int getMaxPollRecords() {
        return maxPollRecords;
    }

    @JsonProperty
    public void setMaxPollRecords(int maxPollRecords) {
        this.maxPollRecords = maxPollRecords;
    }

    @JsonProperty
    public int getMaxWaitingRecords() {
        return maxWaitingRecords;
    }

    @JsonProperty
    public void setMaxWaitingRecords(int maxWaitingRecords) {
        this.maxWaitingRecords = maxWaitingRecords;
    }

    @JsonProperty
    public Duration getPollTimeout() {
        return pollTimeout;
    }

    @JsonProperty
    public void setPollTimeout(Duration pollTimeout) {
        this.pollTimeout = pollTimeout;
    }

    @JsonProperty
    public int getFetchMinBytes() {
        return fetchMinBytes;
    }

    @JsonProperty
    public void setFetchMinBytes(int fetchMinBytes) {
        this.fetchMinBytes = fetchMinBytes;
    }

    @JsonProperty
    public Duration getFetchMaxWait() {
        return fetchMaxWait;
    }

    @JsonProperty
    public void setFetchMaxWait(Duration fetchMaxWait) {
        this.fetchMaxWait = fetchMaxWait;
    }

    @JsonProperty
    public Duration getShutdownTimeout() {
        return shutdownTimeout;
    }

    @JsonProperty
    public void setShutdownTimeout(Duration shutdownTimeout) {
        this.shutdownTimeout = shutdownTimeout;
    }

    @JsonProperty
    public Duration getSessionTimeout() {
        return sessionTimeout;
    }

    @JsonProperty
    public void setSessionTimeout(Duration sessionTimeout) {
        this.sessionTimeout = sessionTimeout;
    }

    @JsonProperty
    public Duration getRetryBackoffMin() {
        return retryBackoffMin;
    }

    @JsonProperty
    public void setRetryBackoffMin(Duration retryBackoffMin) {
        this.retryBackoffMin = retryBackoffMin;
    }

    @JsonProperty
    public Duration getRetryBackoffMax() {
        return retryBackoffMax;
    }

    @JsonProperty
    public void setRetryBackoffMax(Duration retryBackoffMax) {
        this.retryBackoffMax = retryBackoffMax;
    }

    /** What the admin tasks and health checks need of the consumers. */
    public record Consumers(ConsumerPool pool, ConsumerControl control, LagTracker lag) {
    }

    /**
     * The workers of every topic in {@code sinksByTopic} (and one per topic for its parked events), supervised and
     * managed, with the "consumers" and "consumer-lag" health checks.
     */
    public Consumers build(Environment environment, String bootstrapServers, Map<String, EventSink> sinksByTopic,
                           Map<String, String> awaitedBy, EnvelopeCodec codec, KafkaFactory.KafkaClients kafka,
                           java.time.Duration dedupWindow) {
        ConsumerControl control = new ConsumerControl();
        LagTracker lag = new LagTracker(environment.metrics());
        DeadLetters deadLetters = new DeadLetters();
        Parking parking = new Parking(deadLetters, Clock.systemUTC());
        ConsumeSettings settings = new ConsumeSettings(workersPerTopic, java(pollTimeout), maxWaitingRecords,
                java.time.Duration.ofSeconds(2), new Backoff(java(retryBackoffMin), java(retryBackoffMax)),
                maxPollRecords, new ParkTiming(java(parkWindow), java(parkCheckInterval),
                new Backoff(java(parkCheckInterval), java.time.Duration.ofMinutes(1)),
                new Backoff(java(parkBackoffMin), java(parkBackoffMax)), maxPollRecords), dedupWindow);
        List<ConsumerPool.NamedFactory> slots = new ConsumerWorkersFactory(settings,
                clientId -> consumerProperties(bootstrapServers, clientId), kafka.transactionalProducers(), control,
                lag, FatalErrors::halt, environment.metrics()).build(sinksByTopic, awaitedBy, codec, deadLetters,
                parking);
        ConsumerPool pool = new ConsumerPool(slots, java(shutdownTimeout),
                new Backoff(java(restartBackoffMin), java(restartBackoffMax)));
        for (int i = 0; i < slots.size(); i++) {
            int slot = i;
            String prefix = MetricRegistry.name("hookshard", "consumer", slots.get(i).name());
            environment.metrics().register(MetricRegistry.name(prefix, "waiting"),
                    (Gauge<Integer>) () -> pool.slots().get(slot).waiting());
            environment.metrics().register(MetricRegistry.name(prefix, "down"),
                    (Gauge<Integer>) () -> pool.slots().get(slot).down() ? 1 : 0);
            environment.metrics().register(MetricRegistry.name(prefix, "restarts"),
                    (Gauge<Integer>) () -> pool.slots().get(slot).restarts());
        }
        environment.lifecycle().manage(pool);
        environment.healthChecks().register("consumers", new ConsumerWorkersHealthCheck(pool));
        environment.healthChecks().register("consumer-lag", new ConsumerLagHealthCheck(lag, lagThreshold));
        return new Consumers(pool, control, lag);
    }

    private static java.time.Duration java(Duration duration) {
        return java.time.Duration.ofMillis(duration.toMilliseconds());
    }

    public Map<String, Object> consumerProperties(String bootstrapServers, String clientId) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        // Offsets are committed only after the shard transaction committed: at least once, never at most once.
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // A new group must read what ingest accepted before the consumers first started, not skip it.
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // Larger polls make larger multi-row transactions per shard, which is where sink throughput comes from.
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords);
        // Fewer, larger fetches at moderate rates, for a bounded delay (see fetchMinBytes).
        props.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, fetchMinBytes);
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, (int) fetchMaxWait.toMilliseconds());
        // A crashed instance's partitions move on after 10 s instead of the default 45 s of silence.
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) sessionTimeout.toMilliseconds());
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) Math.max(sessionTimeout.toMilliseconds() / 3, 1000));
        // Only records of committed producer transactions: the parking topics are written in transactions (with the
        // offsets that pass what is parked), so an aborted or unfinished one must stay unseen. It also makes the
        // group's offset fetch wait for a pending transactional commit of the partition instead of reading past it.
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return props;
    }
}
