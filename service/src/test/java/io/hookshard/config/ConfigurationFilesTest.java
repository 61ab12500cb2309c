package io.hookshard.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.FileConfigurationSourceProvider;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import io.hookshard.HookshardConfiguration;
import io.hookshard.providers.ProviderAdapter;
import io.hookshard.security.SignatureException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every YAML file the project ships parses into the real configuration and passes its validation. */
class ConfigurationFilesTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    static HookshardConfiguration load(Path file) throws Exception {
        ObjectMapper mapper = Jackson.newObjectMapper();
        YamlConfigurationFactory<HookshardConfiguration> factory = new YamlConfigurationFactory<>(
                HookshardConfiguration.class, Validators.newValidator(), mapper, "dw");
        return factory.build(new SubstitutingSourceProvider(new FileConfigurationSourceProvider(),
                new EnvironmentVariableSubstitutor(false)), file.toString());
    }

    @Test
    void devConfigParsesWithItsDefaults() throws Exception {
        HookshardConfiguration config = load(REPO.resolve("config.yml"));

        assertThat(config.getShards().bucketMap().shardIds()).containsExactly("shard-a", "shard-b");
        assertThat(config.getShards().bucketMap().describe())
                .isEqualTo("shard-a=[0-511] (512 buckets), shard-b=[512-1023] (512 buckets)");
        assertThat(config.getKafka().getTopics().getOrders()).isEqualTo("orders.webhooks");
        assertThat(config.getKafka().getTopics().getDisputes()).isEqualTo("disputes.webhooks");
        DefaultServerFactory server = (DefaultServerFactory) config.getServerFactory();
        assertThat(server.getRegisterDefaultExceptionMappers()).isFalse();
        assertThat(config.getShards().getShards().get(0).getDatabase().getCheckConnectionOnBorrow()).isTrue();
        assertThat(config.getKafka().getTopics().getRetention()).isEqualTo(io.dropwizard.util.Duration.days(7));
        assertThat(config.getKafka().getTopics().getDeadLetterRetention()).isEqualTo(io.dropwizard.util.Duration.days(30));
    }

    @Test
    void devModeWritesNoAccessLogLinePerRequest() throws Exception {
        DefaultServerFactory server = (DefaultServerFactory) load(REPO.resolve("config.yml")).getServerFactory();

        // Dropwizard's default is a console appender: one line per webhook, a measurable share of ingest's CPU.
        assertThat(((io.dropwizard.request.logging.LogbackAccessRequestLogFactory) server.getRequestLogFactory())
                .getAppenders()).isEmpty();
    }

    @Test
    void aDeploymentFromTheTemplateWarnsBelowThreeReplicasAndTwoInSync() throws Exception {
        // Dev mode lowers both through dw.* properties; a deployment must say so explicitly to silence the warning.
        for (String file : List.of("config.yml", "config-docker.yml")) {
            TopicsFactory topics = load(REPO.resolve(file)).getKafka().getTopics();
            assertThat(topics.getWarnBelowReplicationFactor()).as(file).isEqualTo((short) 3);
            assertThat(topics.getWarnBelowMinInSyncReplicas()).as(file).isEqualTo(2);
        }
    }

    @Test
    void producersCompressOnlyWhenTheDeploymentSaysSo() throws Exception {
        for (String file : List.of("config.yml", "config-docker.yml")) {
            KafkaFactory kafka = load(REPO.resolve(file)).getKafka();
            if (System.getenv("KAFKA_COMPRESSION") == null) {
                assertThat(kafka.producerProperties("test")).as(file)
                        .containsEntry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
            }
        }
        KafkaFactory zstd = new KafkaFactory();
        zstd.setCompression("zstd");
        assertThat(zstd.producerProperties("test")).containsEntry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
        assertThat(zstd.transactionalProducerProperties("test", "id"))
                .containsEntry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
        KafkaFactory unknown = new KafkaFactory();
        unknown.setCompression("brotli");
        assertThat(Validators.newValidator().validate(unknown)).extracting(violation -> violation.getMessage())
                .containsExactly("must be one of none, gzip, snappy, lz4, zstd");
    }

    @Test
    void workersFetchAsTheDeploymentSays() throws Exception {
        for (String file : List.of("config.yml", "config-docker.yml")) {
            ConsumersFactory consumers = load(REPO.resolve(file)).getConsumers();
            if (System.getenv("HOOKSHARD_FETCH_MIN_BYTES") == null
                    && System.getenv("HOOKSHARD_FETCH_MAX_WAIT") == null) {
                assertThat(consumers.consumerProperties("localhost:9092", "test")).as(file)
                        .containsEntry(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1)
                        .containsEntry(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 500);
            }
        }
        ConsumersFactory batching = new ConsumersFactory();
        batching.setFetchMinBytes(262_144);
        batching.setFetchMaxWait(io.dropwizard.util.Duration.milliseconds(25));
        assertThat(batching.consumerProperties("localhost:9092", "test"))
                .containsEntry(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 262_144)
                .containsEntry(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 25);
        ConsumersFactory tooLong = new ConsumersFactory();
        tooLong.setFetchMaxWait(io.dropwizard.util.Duration.seconds(30));
        assertThat(Validators.newValidator().validate(tooLong)).extracting(violation -> violation.getPropertyPath()
                .toString()).containsExactly("fetchMaxWait");
    }

    @Test
    void deadLettersMustBeKeptAtLeastAsLongAsTheWebhooks() {
        TopicsFactory topics = new TopicsFactory();
        topics.setDeadLetterRetention(io.dropwizard.util.Duration.days(1));

        assertThat(Validators.newValidator().validate(topics)).extracting(violation -> violation.getMessage())
                .containsExactly("kafka.topics.deadLetterRetention must be at least kafka.topics.retention");
    }

    @Test
    void devConfigFailsClosedWithoutSecrets() throws Exception {
        // Unless HOOKSHARD_WEBHOOK_SECRETS is set where the tests run, config.yml trusts no signature.
        if (System.getenv("HOOKSHARD_WEBHOOK_SECRETS") == null) {
            assertThat(load(REPO.resolve("config.yml")).getWebhooks().secrets().isEmpty()).isTrue();
        }
    }

    @Test
    void everyProviderEndpointFailsClosedWithoutItsSecrets() throws Exception {
        for (String file : List.of("config.yml", "config-docker.yml")) {
            WebhooksFactory webhooks = load(REPO.resolve(file)).getWebhooks();

            assertThat(webhooks.getProviders()).as(file).containsOnlyKeys("stripe", "adyen", "checkout");
            for (ProviderAdapter adapter : webhooks.providerAdapters(java.time.Clock.systemUTC())) {
                String variable = Map.of("stripe", "HOOKSHARD_STRIPE_SECRETS", "adyen", "HOOKSHARD_ADYEN_HMAC_KEYS",
                        "checkout", "HOOKSHARD_CHECKOUT_SECRETS").get(adapter.name());
                if (System.getenv(variable) == null) {
                    assertThatThrownBy(() -> adapter.verify(name -> null, new byte[0])).as(file + " " + variable)
                            .isInstanceOf(SignatureException.class)
                            .extracting(e -> ((SignatureException) e).reason()).isEqualTo("no_secret_configured");
                }
            }
        }
    }

    @Test
    void aProviderWithoutAnAdapterIsAConfigurationError() {
        WebhooksFactory webhooks = new WebhooksFactory();
        webhooks.setProviders(Map.of("paypal", new ProviderFactory()));

        assertThat(Validators.newValidator().validate(webhooks)).extracting(violation -> violation.getMessage())
                .containsExactly("webhooks.providers names a provider Hookshard has no adapter for");
    }

    @Test
    void testConfigParses() throws Exception {
        HookshardConfiguration config = load(Path.of("src/test/resources/test-config.yml"));

        assertThat(config.getWebhooks().secrets().isEmpty()).isFalse();
    }
}
