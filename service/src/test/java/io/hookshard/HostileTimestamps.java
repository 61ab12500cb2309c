package io.hookshard;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Random;

/**
 * RFC 3339 date-times for {@link HostileCorpus}: near the ends of what the shards store (0001-01-01 and 9999-12-31
 * once converted to UTC), at month boundaries, in offsets from -18:00 to +18:00 (+14:00, -12:00, +05:45, ...), with
 * 0-9 fraction digits; and the shapes RFC 3339 also allows.
 */
final class HostileTimestamps {
    /** A date-time as written, and the instant it names cut to the microsecond, as the shards keep it. */
    record Timestamp(String text, Instant instant, String why) {
    }

    /** RFC 3339 shapes beyond the common one. */
    enum Shape { COMMON, LOWER_CASE, SPACE, UNKNOWN_OFFSET }

    private static final Instant MIN = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant MAX = Instant.parse("9999-12-31T23:59:59.999999999Z");

    private final Random random;

    HostileTimestamps(Random random) {
        this.random = random;
    }

    /** An RFC 3339 date-time the shards can store, and the instant it names cut to the microsecond. */
    Timestamp timestamp() {
        while (true) {
            Instant instant;
            String why;
            switch (random.nextInt(6)) {
                case 0 -> {
                    instant = MIN.plusSeconds(random.nextInt(3 * 86_400));
                    why = "near 0001-01-01";
                }
                case 1 -> {
                    instant = MAX.minusSeconds(random.nextInt(3 * 86_400));
                    why = "near 9999-12-31";
                }
                case 2, 3 -> {
                    LocalDateTime month = LocalDateTime.of(2020 + random.nextInt(12), 1 + random.nextInt(12), 1, 0, 0);
                    instant = month.toInstant(ZoneOffset.UTC).plusSeconds(random.nextInt(4 * 3600) - 2 * 3600);
                    why = "month boundary";
                }
                default -> {
                    instant = Instant.ofEpochSecond(random.nextLong(4_102_444_800L));
                    why = "1970-2099";
                }
            }
            instant = instant.plusNanos(random.nextInt(1_000_000_000));
            if (instant.isAfter(MAX)) {
                instant = MAX;
            }
            int digits = random.nextInt(10);
            long unit = (long) Math.pow(10, 9 - digits);
            instant = instant.minusNanos(instant.getNano() % unit);
            int offset = offsetSeconds();
            String text = render(instant, offset, digits, Shape.COMMON);
            if (text != null) {
                return new Timestamp(text, instant.truncatedTo(ChronoUnit.MICROS), why + ", " + text);
            }
        }
    }

    int offsetSeconds() {
        int[] notable = {0, 0, 14 * 3600, -12 * 3600, 5 * 3600 + 45 * 60, -(9 * 3600 + 30 * 60), 18 * 3600,
                -18 * 3600};
        return random.nextBoolean() ? notable[random.nextInt(notable.length)]
                : (random.nextInt(113) - 56) * 15 * 60;
    }

    /**
     * {@code instant} as local time at {@code offsetSeconds}, with {@code digits} fraction digits (the instant must
     * have no more); null when the local year has no four digits.
     */
    String render(Instant instant, int offsetSeconds, int digits, Shape shape) {
        boolean lowerCase = shape == Shape.LOWER_CASE;
        LocalDateTime local = LocalDateTime.ofEpochSecond(instant.getEpochSecond() + offsetSeconds, instant.getNano(),
                ZoneOffset.UTC);
        if (local.getYear() < 0 || local.getYear() > 9999) {
            return null;
        }
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "%04d-%02d-%02d%s%02d:%02d:%02d",
                local.getYear(), local.getMonthValue(), local.getDayOfMonth(),
                shape == Shape.SPACE ? " " : lowerCase ? "t" : "T",
                local.getHour(), local.getMinute(), local.getSecond()));
        if (digits > 0) {
            String nanos = String.format(Locale.ROOT, "%09d", local.getNano());
            text.append('.').append(digits <= 9 ? nanos.substring(0, digits) : nanos + "0".repeat(digits - 9));
        }
        if (shape == Shape.UNKNOWN_OFFSET) {
            // RFC 3339 4.3: UTC, local offset unknown.
            text.append("-00:00");
        } else if (offsetSeconds == 0 && random.nextInt(3) > 0) {
            text.append(lowerCase ? "z" : "Z");
        } else {
            int minutes = Math.abs(offsetSeconds) / 60;
            text.append(offsetSeconds < 0 ? '-' : '+')
                    .append(String.format(Locale.ROOT, "%02d:%02d", minutes / 60, minutes % 60));
        }
        return text.toString();
    }
}
