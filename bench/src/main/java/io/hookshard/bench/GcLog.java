package io.hookshard.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pauses in a JVM's unified GC log ({@code -Xlog:gc:file=...:utctime}), so that an open loop's tail can be laid
 * beside the broker's pauses within its window: the no-op, which never produces, had no such tail.
 */
final class GcLog {
    private static final Pattern PAUSE = Pattern.compile("^\\[([^\\]]+)\\] GC\\(\\d+\\) Pause .* ([0-9.]+)ms$");
    private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");

    /** One stop-the-world pause: when it began and how long it took. */
    record Pause(Instant at, double ms) {
    }

    /** What a window held: how many pauses, their sum and the longest, in milliseconds. */
    record Summary(int pauses, double totalMs, double longestMs) {
        @Override
        public String toString() {
            return String.format("%d, %.1f ms in all, the longest %.1f ms", pauses, totalMs, longestMs);
        }
    }

    private final Path file;

    GcLog(Path file) {
        this.file = file;
    }

    /** The JVM option that writes such a log to {@code file}. */
    static String option(Path file) {
        return "-Xlog:gc:file=" + file + ":utctime";
    }

    Summary between(Instant from, Instant to) throws IOException {
        List<Pause> pauses = Files.exists(file) ? parse(Files.readAllLines(file)) : List.of();
        List<Pause> within = pauses.stream().filter(p -> !p.at().isBefore(from) && p.at().isBefore(to)).toList();
        return new Summary(within.size(), within.stream().mapToDouble(Pause::ms).sum(),
                within.stream().mapToDouble(Pause::ms).max().orElse(0));
    }

    static List<Pause> parse(List<String> lines) {
        return lines.stream().map(PAUSE::matcher).filter(Matcher::matches).flatMap(m -> {
            try {
                return java.util.stream.Stream.of(new Pause(OffsetDateTime.parse(m.group(1), UTC_TIME).toInstant(),
                        Double.parseDouble(m.group(2))));
            } catch (DateTimeParseException | NumberFormatException e) {
                return java.util.stream.Stream.empty();
            }
        }).toList();
    }
}
