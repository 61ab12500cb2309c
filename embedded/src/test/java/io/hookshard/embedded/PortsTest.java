package io.hookshard.embedded;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class PortsTest {
    @Test
    void portsPickedTogetherAreDistinctAndFree() {
        int[] ports = Ports.freePorts(500);

        assertThat(Arrays.stream(ports).distinct().count()).isEqualTo(500);
        for (int port : ports) {
            assertThat(Ports.isListening(port)).as("port %d", port).isFalse();
            Ports.requireFree(port, "a test");
        }
    }
}
