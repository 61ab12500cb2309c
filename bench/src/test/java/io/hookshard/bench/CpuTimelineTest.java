package io.hookshard.bench;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CpuTimelineTest {
    @Test
    void givesEachTreeAndTheRestOfTheMachineInMillisecondsPerSecond() {
        Map<String, Long> before = Map.of("service", 100L, "broker", 50L, Cpu.MACHINE, 1_000L);
        Map<String, Long> after = Map.of("service", 190L, "broker", 70L, Cpu.MACHINE, 1_200L);

        Map<String, Double> second = CpuTimeline.msPerSecond(before, after, 1.0);

        assertThat(second).containsEntry("service", 900.0).containsEntry("broker", 200.0)
                .containsEntry(Cpu.OTHER, 900.0).containsEntry(Cpu.MACHINE, 2_000.0);
    }

    @Test
    void scalesASpanOtherThanOneSecond() {
        Map<String, Long> before = Map.of("service", 0L, Cpu.MACHINE, 0L);
        Map<String, Long> after = Map.of("service", 50L, Cpu.MACHINE, 50L);

        assertThat(CpuTimeline.msPerSecond(before, after, 0.5)).containsEntry("service", 1_000.0)
                .containsEntry(Cpu.OTHER, 0.0);
    }

    @Test
    void describesASecondThatWasNotSampled() {
        assertThat(CpuTimeline.describe(Map.of())).isEqualTo("CPU not sampled");
    }
}
