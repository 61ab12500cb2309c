package io.hookshard.core;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Rfc3339Test {
    @Test
    void parsesAsJavaTimeDoes() {
        for (String text : List.of("2026-11-20T10:00:00Z", "2026-11-20T10:00:00.5Z", "2026-11-20T10:00:00.123456789Z",
                "2026-11-20T10:00:00+01:00", "2026-11-20T10:00:00.120-05:30", "2026-11-20t10:00:00z",
                "0000-01-01T00:00:00Z", "2024-02-29T23:59:59+18:00", "2026-11-20T10:00:00-00:00",
                "2026-11-20T10:00Z", "+12026-11-20T10:00:00Z", "2026-11-20T10:00:00+01:00:30", "2026-11-20T10:00:00.Z")) {
            assertThat(Rfc3339.parse(text)).as(text).isEqualTo(OffsetDateTime.parse(text).toInstant());
        }
    }

    @Test
    void refusesWhatJavaTimeRefuses() {
        for (String text : List.of("2026-02-30T10:00:00Z", "2026-11-20T24:00:00Z", "2026-11-20T10:00:60Z",
                "2026-11-20T10:00:00", "2026-11-20T10:00:00.1234567890Z",
                "2026-11-20T10:00:00+19:00", "2026-11-20 10:00:00Z", "yesterday", "2026-13-01T00:00:00Z")) {
            assertThatThrownBy(() -> OffsetDateTime.parse(text)).as(text).isInstanceOf(DateTimeParseException.class);
            assertThatThrownBy(() -> Rfc3339.parse(text)).as(text).isInstanceOf(DateTimeParseException.class);
        }
    }

    @Test
    void formatsAsInstantToStringDoes() {
        Random random = new Random(3);
        for (int i = 0; i < 100_000; i++) {
            long seconds = random.nextLong(-62_000_000_000L, 400_000_000_000L);
            int nanos = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1000;
                default -> random.nextInt(1_000_000_000);
            };
            Instant instant = Instant.ofEpochSecond(seconds, nanos);
            assertThat(Rfc3339.format(instant)).isEqualTo(instant.toString());
            assertThat(Rfc3339.parse(instant.toString())).isEqualTo(instant);
        }
    }
}
