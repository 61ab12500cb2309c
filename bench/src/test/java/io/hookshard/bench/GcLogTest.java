package io.hookshard.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class GcLogTest {
    private static final List<String> LOG = List.of(
            "[2026-11-25T07:17:20.001+0000] Using G1",
            "[2026-11-25T07:17:21.437+0000] GC(11) Pause Young (Normal) (G1 Evacuation Pause) 300M->50M(1024M) 6.123ms",
            "[2026-11-25T07:17:23.500+0000] GC(12) Pause Young (Concurrent Start) (G1 Evacuation Pause)"
                    + " 360M->60M(1024M) 41.007ms",
            "[2026-11-25T07:17:23.900+0000] GC(13) Concurrent Mark Cycle",
            "[2026-11-25T07:17:24.100+0000] GC(13) Pause Remark 70M->70M(1024M) 2.500ms",
            "[2026-11-25T07:17:30.000+0000] GC(14) Pause Young (Normal) (G1 Evacuation Pause) 300M->50M(1024M) 9.000ms");

    @Test
    void readsEveryStopTheWorldPauseWithItsTime() {
        assertThat(GcLog.parse(LOG)).containsExactly(
                new GcLog.Pause(Instant.parse("2026-11-25T07:17:21.437Z"), 6.123),
                new GcLog.Pause(Instant.parse("2026-11-25T07:17:23.500Z"), 41.007),
                new GcLog.Pause(Instant.parse("2026-11-25T07:17:24.100Z"), 2.5),
                new GcLog.Pause(Instant.parse("2026-11-25T07:17:30.000Z"), 9.0));
    }

    @Test
    void summarisesOnlyThePausesWithinTheWindow(@org.junit.jupiter.api.io.TempDir Path directory) throws Exception {
        Path file = directory.resolve("gc.log");
        Files.write(file, LOG);

        GcLog.Summary summary = new GcLog(file).between(Instant.parse("2026-11-25T07:17:22Z"),
                Instant.parse("2026-11-25T07:17:30Z"));

        assertThat(summary.pauses()).isEqualTo(2);
        assertThat(summary.totalMs()).isEqualTo(43.507, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(summary.longestMs()).isEqualTo(41.007);
    }
}
