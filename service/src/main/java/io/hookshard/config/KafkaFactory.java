package io.hookshard.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.lifecycle.AutoCloseableManager;
import io.hookshard.core.EnvelopeCodec;
import io.hookshard.health.KafkaHealthCheck;
import io.hookshard.kafka.EnvelopePublisher;
import io.hookshard.kafka.TopicInitializer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** Where the brokers are, which topics exist, and how the producer acknowledges. */
public class KafkaFactory {
    @NotEmpty
    private String bootstrapServers = "127.0.0.1:9092";

    @Valid
    @NotNull
    private TopicsFactory topics = new TopicsFactory();

    /** How long a webhook may wait for the broker's durable ack before it is answered 503. */
    @NotNull
    @MinDuration(value = 500, unit = TimeUnit.MILLISECONDS)
    private Duration produceTimeout = Duration.seconds(5);

    @Min(0)
    @Max(1000)
    private int lingerMs = 2;

    /** The producers' compression.type (see {@link #producerProperties}). */
    @NotNull
    @Pattern(regexp = "none|gzip|snappy|lz4|zstd", message = "must be one of none, gzip, snappy, lz4, zstd")
    private String compression = "none";

    @JsonProperty
    public String getBootstrapServers() {
        return bootstrapServers;
    }

    @JsonProperty
    public void setBootstrapServers(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    @JsonProperty
    public TopicsFactory getTopics() {
        return topics;
    }

    @JsonProperty
    public void setTopics(TopicsFactory topics) {
        this.topics = topics;
    }

    @JsonProperty
    public Duration getProduceTimeout() {
        return produceTimeout;
    }

    @JsonProperty
    public void setProduceTimeout(Duration produceTimeout) {
        this.produceTimeout = produceTimeout;
    }

    @JsonProperty
    public int getLingerMs() {
        return lingerMs;
    }

    @JsonProperty
    public void setLingerMs(int lingerMs) {
        this.lingerMs = lingerMs;
    }

    @JsonProperty
    public String getCompression() {
        return compression;
    }

    @JsonProperty
    public void setCompression(String compression) {
        this.compression = compression;
    }

    /**
     * The producer, admin client, topic creation (at start) and the "kafka" health check, all managed: the producer
     * closes after the consumers (it writes their dead letters) and flushes what webhooks still wait for.
     */
    public KafkaClients build(Environment environment, EnvelopeCodec codec) {
        Admin admin = Admin.create(adminProperties());
        environment.lifecycle().manage(new AutoCloseableManager(admin));
        environment.lifecycle().manage(new TopicInitializer(admin, topics));
        Producer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties("hookshard-ingest"));
        java.time.Duration ackTimeout = java.time.Duration.ofMillis(produceTimeout.toMilliseconds());
        EnvelopePublisher publisher = new EnvelopePublisher(producer, codec, ackTimeout);
        environment.lifecycle().manage(publisher);
        environment.healthChecks().register("kafka", new KafkaHealthCheck(admin));
        // See transactionalProducerProperties: one id per worker and start of this process.
        String incarnation = UUID.randomUUID().toString();
        return new KafkaClients(admin, producer, ackTimeout, publisher, worker -> new KafkaProducer<>(
                transactionalProducerProperties(worker, "hookshard-" + worker + "-" + incarnation)));
    }

    /**
     * The long-lived Kafka clients of one service instance: one producer serves ingest (and dlq-replay); each consumer
     * worker builds its own transactional producer for what it dead-letters and parks.
     *
     * @param transactionalProducers builds the transactional producer of the named worker (not yet initialised)
     */
    public record KafkaClients(Admin admin, Producer<byte[], byte[]> producer, java.time.Duration ackTimeout,
                               EnvelopePublisher publisher,
                               Function<String, Producer<byte[], byte[]>> transactionalProducers) {
    }

    public Map<String, Object> adminProperties() {
        Map<String, Object> props = new HashMap<>();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        // Health checks and startup must not hang for the default 60 s when the cluster is gone.
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        return props;
    }

    public Map<String, Object> producerProperties(String clientId) {
        int timeoutMs = (int) produceTimeout.toMilliseconds();
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        // A 202 promises the event is stored: every in-sync replica must have it (the default, stated on purpose).
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        // Retries after a lost ack must not write the event twice into the log.
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // A webhook's answer waits for the ack: give up within produceTimeout and answer 503 instead of hanging.
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeoutMs);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.max(timeoutMs - lingerMs, 100));
        // send() blocks while metadata is missing (broker down at startup); bound that wait the same way.
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs);
        // Webhooks are ~1 KiB and arrive concurrently: a short linger batches them without visible latency.
        props.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
        // None by default: a batch lingers 2 ms, so it holds a few webhooks, which compress little, and lz4 allocates
        // its 64 KiB block buffers again for every batch. Measured at 5,000 webhooks/s: that was 37% of the ingest
        // JVM's allocation and a young collection every second (every 1.8 s without it).
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        return props;
    }

    /**
     * A consumer worker's producer for dead letters and parked records, which it commits in one transaction with the
     * consumer offsets that pass them (see README, "Dead letters"). Besides the ingest producer's settings:
     */
    public Map<String, Object> transactionalProducerProperties(String clientId, String transactionalId) {
        Map<String, Object> props = producerProperties(clientId);
        // Makes the producer transactional. An instance has no identity that outlives it (instances are alike,
        // started from one config, and may come and go anywhere), and an id shared by two live instances would
        // have them fence each other for ever; so the id is the worker's name and a random id of this process start.
        // A restarted worker in the same process reuses it and fences its predecessor at once; a restarted process
        // cannot, so the timeout below bounds how long a killed process's open transaction holds things up.
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        // A transaction left open by a killed process blocks read_committed readers of the dead-letter and parking
        // partitions it wrote to, and the group's offset fetch of the partitions it committed, until the broker
        // aborts it: after 10 s (plus the broker's cleanup interval) rather than the default minute. Ours last a
        // few milliseconds; the group's session timeout is about as long, so the partitions move on together.
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000);
        // What is set aside is committed once per batch: a linger would only delay that commit.
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        return props;
    }
}
