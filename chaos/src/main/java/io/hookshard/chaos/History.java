package io.hookshard.chaos;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

/** The client log read back: every event made, and for each what its requests were answered. */
final class History {
    /** What the requests of one event met: how many were sent and whether any was answered 202. */
    record Answers(int requests, boolean accepted) {
        Answers plus(Answers other) {
            return new Answers(requests + other.requests, accepted || other.accepted);
        }
    }

    private final Map<EventKey, PlannedEvent> events;
    private final Map<EventKey, Answers> answers;
    private final Map<String, Long> answerCounts;
    private final long requests;
    private final double requestsPerSecond;

    private History(Map<EventKey, PlannedEvent> events, Map<EventKey, Answers> answers, Map<String, Long> answerCounts,
                    long requests, double requestsPerSecond) {
        this.events = events;
        this.answers = answers;
        this.answerCounts = answerCounts;
        this.requests = requests;
        this.requestsPerSecond = requestsPerSecond;
    }

    static History read(Path directory) throws IOException {
        Map<EventKey, PlannedEvent> events = new HashMap<>();
        try (BufferedReader in = open(directory.resolve(ClientLog.EVENTS), ClientLog.EVENTS_HEADER)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String[] f = line.split("\t", -1);
                PlannedEvent event = new PlannedEvent(EventKind.valueOf(f[0]), f[1], f[2], f[3], orNull(f[4]), f[5],
                        Long.parseLong(f[6]), f[7], orNull(f[8]), f[9], f[10], Integer.parseInt(f[11]));
                events.put(event.key(), event);
            }
        }
        Map<EventKey, Answers> answers = new HashMap<>();
        Map<String, Long> counts = new TreeMap<>();
        long requests = 0;
        long firstSent = Long.MAX_VALUE;
        long lastSent = Long.MIN_VALUE;
        try (BufferedReader in = open(directory.resolve(ClientLog.REQUESTS), ClientLog.REQUESTS_HEADER)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String[] f = line.split("\t", -1);
                EventKey key = new EventKey(EventKind.valueOf(f[2]), f[3]);
                answers.merge(key, new Answers(1, "202".equals(f[9])), Answers::plus);
                counts.merge(f[9], 1L, Long::sum);
                requests++;
                long sent = Long.parseLong(f[0]);
                firstSent = Math.min(firstSent, sent);
                lastSent = Math.max(lastSent, sent);
            }
        }
        double seconds = requests < 2 ? 0 : Math.max(1, lastSent - firstSent) / 1000.0;
        return new History(events, answers, counts, requests, seconds == 0 ? 0 : requests / seconds);
    }

    /** Every event the workload made, sent or not. */
    Map<EventKey, PlannedEvent> events() {
        return events;
    }

    /** The answers of each event that was sent at least once. */
    Map<EventKey, Answers> answers() {
        return answers;
    }

    /** How many requests got each answer ("202", "503", "io:ConnectException", ...). */
    Map<String, Long> answerCounts() {
        return answerCounts;
    }

    long requests() {
        return requests;
    }

    /** Requests over the time from the first to the last, retries included. */
    double requestsPerSecond() {
        return requestsPerSecond;
    }

    private static BufferedReader open(Path file, String header) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(file),
                1 << 16), StandardCharsets.UTF_8), 1 << 16);
        String first = in.readLine();
        if (!header.equals(first)) {
            in.close();
            throw new IOException(file + " does not start with the expected header: " + first);
        }
        return in;
    }

    private static String orNull(String value) {
        return "-".equals(value) ? null : value;
    }
}
