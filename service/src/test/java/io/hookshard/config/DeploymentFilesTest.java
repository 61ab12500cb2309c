package io.hookshard.config;

import io.hookshard.HookshardConfiguration;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No Docker engine runs where the tests do, so the deployment files are checked against each other instead:
 * config-docker.yml is a valid configuration, every host it names is a compose service, and the variables it
 * needs without a default are ones compose provides.
 */
class DeploymentFilesTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    @SuppressWarnings("unchecked")
    private static Map<String, Object> compose() throws Exception {
        return (Map<String, Object>) new Yaml().load(Files.readString(REPO.resolve("docker-compose.shards.yml")));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> service(String name) throws Exception {
        return (Map<String, Object>) ((Map<String, Object>) compose().get("services")).get(name);
    }

    @Test
    void dockerConfigParsesIntoTheRealConfiguration() throws Exception {
        HookshardConfiguration config = ConfigurationFilesTest.load(REPO.resolve("config-docker.yml"));

        assertThat(config.getShards().bucketMap().shardIds()).containsExactly("shard-a", "shard-b");
        assertThat(config.getShards().isMigrateOnStart()).isFalse();
        assertThat(config.getIngest().getMode()).isEqualTo(IngestFactory.Mode.KAFKA);
    }

    @Test
    void everyHostTheDockerConfigNamesIsAComposeService() throws Exception {
        HookshardConfiguration config = ConfigurationFilesTest.load(REPO.resolve("config-docker.yml"));
        @SuppressWarnings("unchecked")
        Set<String> services = ((Map<String, Object>) compose().get("services")).keySet();

        List<String> brokers = Arrays.stream(config.getKafka().getBootstrapServers().split(","))
                .map(broker -> broker.trim().substring(0, broker.trim().lastIndexOf(':'))).toList();
        List<String> shards = config.getShards().getShards().stream()
                .map(shard -> URI.create(shard.getDatabase().getUrl().substring("jdbc:".length())).getHost()).toList();

        assertThat(brokers).containsExactly("kafka");
        assertThat(shards).containsExactly("shard-a", "shard-b");
        assertThat(services).containsAll(brokers).containsAll(shards).contains("prepare", "hookshard");
    }

    @Test
    void composeGivesTheServiceWhatTheDockerConfigRequires() throws Exception {
        HookshardConfiguration config = ConfigurationFilesTest.load(REPO.resolve("config-docker.yml"));
        @SuppressWarnings("unchecked")
        Map<String, Object> environment = (Map<String, Object>) service("hookshard").get("environment");

        // The admin port listens beyond loopback in the container: the token must come from compose.
        assertThat(AdminFactory.nonLoopbackAdminHosts(config.getServerFactory())).isNotEmpty();
        assertThat(environment).containsKeys("HOOKSHARD_ADMIN_TOKEN", "HOOKSHARD_WEBHOOK_SECRETS", "KAFKA_BROKERS",
                "SHARD_A_URL", "SHARD_B_URL");
        assertThat(service("prepare").get("environment")).isEqualTo(environment);
        // Each JDBC URL compose passes points at a shard service too.
        for (String variable : List.of("SHARD_A_URL", "SHARD_B_URL")) {
            String host = URI.create(((String) environment.get(variable)).substring("jdbc:".length())).getHost();
            assertThat(service(host)).as(variable + " names service " + host).isNotNull();
        }
        // Every ${VAR} of config-docker.yml without a default is provided by compose.
        Matcher required = Pattern.compile("\\$\\{([A-Z_]+)}").matcher(Files.readString(REPO.resolve("config-docker.yml")));
        while (required.find()) {
            assertThat(environment).containsKey(required.group(1));
        }
    }

    @Test
    void theImageCarriesTheDockerConfigWhereComposeRunsIt() throws Exception {
        String dockerfile = Files.readString(REPO.resolve("Dockerfile"));

        assertThat(dockerfile).contains("COPY config-docker.yml /etc/hookshard/config.yml")
                .contains("service/target/hookshard.jar");
        assertThat(String.valueOf(service("prepare").get("entrypoint"))).contains("shards migrate /etc/hookshard/config.yml")
                .contains("topics create /etc/hookshard/config.yml");
        assertThat(service("hookshard").get("ports").toString()).contains("127.0.0.1:8081:8081");
    }
}
