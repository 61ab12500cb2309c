package io.hookshard.devstack;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DevPortsTest {
    @Test
    void documentedPortsWhenNothingIsSet() {
        assertThat(DevPorts.from(Map.of(), 2)).isEqualTo(new DevPorts(9092, 9093, List.of(54321, 54322)));
    }

    @Test
    void eachPortMovesWithItsOwnVariable() {
        DevPorts ports = DevPorts.from(Map.of(DevPorts.KAFKA, "19092", DevPorts.SHARD_B, " 15432 ",
                DevPorts.KAFKA_CONTROLLER, ""), 2);

        assertThat(ports).isEqualTo(new DevPorts(19092, 9093, List.of(54321, 15432)));
    }

    @Test
    void furtherShardsTakeThePortsUpwardEachWithAVariableOfItsOwn() {
        assertThat(DevPorts.from(Map.of(), 4).shards()).containsExactly(54321, 54322, 54323, 54324);
        assertThat(DevPorts.shardVariable(2)).isEqualTo("HOOKSHARD_DEV_SHARD_C_PORT");
        assertThat(DevPorts.from(Map.of("HOOKSHARD_DEV_SHARD_C_PORT", "16000"), 3).shards())
                .containsExactly(54321, 54322, 16000);
    }

    @Test
    void aValueThatIsNoPortIsRefusedWithTheVariablesName() {
        assertThatThrownBy(() -> DevPorts.from(Map.of(DevPorts.SHARD_A, "5432x"), 2))
                .hasMessageContaining("HOOKSHARD_DEV_SHARD_A_PORT").hasMessageContaining("5432x");
        assertThatThrownBy(() -> DevPorts.from(Map.of(DevPorts.KAFKA, "70000"), 2))
                .hasMessageContaining("HOOKSHARD_DEV_KAFKA_PORT");
        assertThatThrownBy(() -> DevPorts.from(Map.of("HOOKSHARD_DEV_SHARD_C_PORT", "0"), 3))
                .hasMessageContaining("HOOKSHARD_DEV_SHARD_C_PORT");
    }
}
