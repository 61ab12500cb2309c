package io.hookshard.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class MachineStallsTest {
    @Test
    void readsThePressureTotalsInMicroseconds(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("io");
        Files.writeString(file, """
                some avg10=0.00 avg60=0.14 avg300=0.57 total=577352472
                full avg10=0.00 avg60=0.10 avg300=0.36 total=193050735
                """);

        assertThat(MachineStalls.pressure(file)).containsExactly(577_352_472L, 193_050_735L);
    }

    @Test
    void readsNothingWhereThereIsNoPressureFile(@TempDir Path dir) {
        assertThat(MachineStalls.pressure(dir.resolve("absent"))).containsExactly(0L, 0L);
    }

    @Test
    void givesASecondsLossesInMilliseconds() {
        Instant at = Instant.parse("2026-11-25T12:00:00Z");
        MachineStalls.Sample a = new MachineStalls.Sample(at, 100, 50, 1_000_000, 400_000);
        MachineStalls.Sample b = new MachineStalls.Sample(at.plusSeconds(1), 130, 52, 1_250_000, 520_000);

        MachineStalls.Second second = MachineStalls.between(a, b);

        assertThat(second.stealMs()).isEqualTo(300);
        assertThat(second.iowaitMs()).isEqualTo(20);
        assertThat(second.ioSomeMs()).isEqualTo(250);
        assertThat(second.ioFullMs()).isEqualTo(120);
        assertThat(second.any()).isTrue();
    }

    @Test
    void readsThisMachinesCountersWithoutFailing() {
        MachineStalls.Sample sample = MachineStalls.read(Instant.now());

        assertThat(sample.stealTicks()).isGreaterThanOrEqualTo(0);
        assertThat(sample.ioFullMicros()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void spreadsWhatWasLostOverTheSpanBetweenTwoSamples() {
        Instant at = Instant.parse("2026-11-25T12:00:00Z");
        MachineStalls.Sample a = new MachineStalls.Sample(at, 0, 0, 0, 0);
        MachineStalls.Sample b = new MachineStalls.Sample(at.plusSeconds(2), 40, 0, 0, 600_000);

        MachineStalls.Second second = MachineStalls.between(a, b);

        assertThat(second.stealMs()).isEqualTo(200);
        assertThat(second.ioFullMs()).isEqualTo(300);
    }
}
