package io.hookshard.devstack;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DevPortsTest {
    @Test
    void documentedPortsWhenNothingIsSet() {
        assertThat(DevPorts.from(Map.of())).isEqualTo(new DevPorts(9092, 9093, 54321, 54322));
    }

    @Test
    void eachPortMovesWithItsOwnVariable() {
        DevPorts ports = DevPorts.from(Map.of(DevPorts.KAFKA, "19092", DevPorts.SHARD_B, " 15432 ",
                DevPorts.KAFKA_CONTROLLER, ""));

        assertThat(ports).isEqualTo(new DevPorts(19092, 9093, 54321, 15432));
    }

    @Test
    void aValueThatIsNoPortIsRefusedWithTheVariablesName() {
        assertThatThrownBy(() -> DevPorts.from(Map.of(DevPorts.SHARD_A, "5432x")))
                .hasMessageContaining("HOOKSHARD_DEV_SHARD_A_PORT").hasMessageContaining("5432x");
        assertThatThrownBy(() -> DevPorts.from(Map.of(DevPorts.KAFKA, "70000")))
                .hasMessageContaining("HOOKSHARD_DEV_KAFKA_PORT");
    }
}
