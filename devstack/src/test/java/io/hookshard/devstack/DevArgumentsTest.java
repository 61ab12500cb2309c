package io.hookshard.devstack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DevArgumentsTest {
    @Test
    void theConfigFileAndTheShardCountInAnyOrder() {
        assertThat(DevArguments.parse()).isEqualTo(new DevArguments(Path.of("config.yml"), null));
        assertThat(DevArguments.parse("--shards", "3")).isEqualTo(new DevArguments(Path.of("config.yml"), 3));
        assertThat(DevArguments.parse("other.yml", "--shards=4")).isEqualTo(new DevArguments(Path.of("other.yml"), 4));
        assertThat(DevArguments.parse("--shards", "5", "other.yml")).isEqualTo(new DevArguments(Path.of("other.yml"),
                5));
    }

    @Test
    void aBadShardCountOrAnUnknownArgumentIsRefusedWithTheUsage() {
        assertThatThrownBy(() -> DevArguments.parse("--shards", "three")).hasMessageContaining("'three'")
                .hasMessageContaining("usage:");
        assertThatThrownBy(() -> DevArguments.parse("--shards", "27")).hasMessageContaining("1 to 26");
        assertThatThrownBy(() -> DevArguments.parse("--shards")).hasMessageContaining("--shards takes");
        assertThatThrownBy(() -> DevArguments.parse("--shard", "3")).hasMessageContaining("'--shard'");
        assertThatThrownBy(() -> DevArguments.parse("a.yml", "b.yml")).hasMessageContaining("'b.yml'");
    }

    @Test
    void withoutShardsDevModeRunsTwoOrAsManyAsItsDataHolds(@TempDir Path data) throws Exception {
        assertThat(DevShards.count(null, data)).isEqualTo(2);
        assertThat(DevShards.count(3, data)).isEqualTo(3);
        Files.createDirectories(data.resolve("shard-a"));
        Files.createDirectories(data.resolve("shard-b"));
        Files.createDirectories(data.resolve("shard-c"));
        assertThat(DevShards.count(null, data)).isEqualTo(3);
        assertThat(DevShards.count(2, data)).as("as asked").isEqualTo(2);
        assertThat(DevShards.id(2)).isEqualTo("shard-c");
    }
}
