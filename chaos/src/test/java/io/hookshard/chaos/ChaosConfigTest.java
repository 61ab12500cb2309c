package io.hookshard.chaos;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.configuration.ResourceConfigurationSourceProvider;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import io.hookshard.HookshardConfiguration;
import org.apache.commons.text.StringSubstitutor;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The configuration a run gives its instances parses into the real configuration and fits the run. */
class ChaosConfigTest {
    @Test
    void chaosConfigSplitsTheBucketsEvenlyOverThreeShardsWithAPartitionForEveryWorker() throws Exception {
        ObjectMapper mapper = Jackson.newObjectMapper();
        HookshardConfiguration config = new YamlConfigurationFactory<>(HookshardConfiguration.class,
                Validators.newValidator(), mapper, "dw").build(new SubstitutingSourceProvider(
                new ResourceConfigurationSourceProvider(), new StringSubstitutor(Map.of(
                        "HOOKSHARD_PORT", "18080", "HOOKSHARD_ADMIN_PORT", "18081", "KAFKA_BROKERS", "127.0.0.1:9",
                        "SHARD_A_URL", "jdbc:postgresql://127.0.0.1:1/hookshard",
                        "SHARD_B_URL", "jdbc:postgresql://127.0.0.1:2/hookshard",
                        "SHARD_C_URL", "jdbc:postgresql://127.0.0.1:3/hookshard",
                        "HOOKSHARD_WEBHOOK_SECRETS", Signer.SECRET))), "chaos-config.yml");

        assertThat(config.getShards().bucketMap().shardIds()).containsExactlyElementsOf(Cluster.SHARD_IDS);
        assertThat(config.getShards().bucketMap()).isEqualTo(io.hookshard.router.BucketMap.evenSplit(1024,
                Cluster.SHARD_IDS));
        assertThat(config.getKafka().getTopics().getPartitions())
                .as("every worker of every instance, the extra one included, gets a partition")
                .isGreaterThanOrEqualTo((Cluster.BASE_INSTANCES + 1) * config.getConsumers().getWorkersPerTopic());
        assertThat(config.getKafka().getTopics().getOrders()).isEqualTo(Cluster.TOPICS.get(0));
        assertThat(config.getKafka().getTopics().getDisputes()).isEqualTo(Cluster.TOPICS.get(1));
        assertThat(config.getConsumers().getGroupId()).isEqualTo(Cluster.GROUP);
        assertThat(config.getConsumers().getParkWindow().toHours())
                .as("a chargeback waiting for its order is never dead-lettered within a run")
                .isGreaterThanOrEqualTo(24);
        assertThat(config.getWebhooks().secrets().isEmpty()).isFalse();
    }
}
