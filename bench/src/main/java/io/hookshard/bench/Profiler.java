package io.hookshard.bench;

import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** JFR around a phase: where the CPU samples fell, by top frame and by the first frame in a known library. */
final class Profiler implements AutoCloseable {
    private static final List<String> AREAS = List.of("io.hookshard", "org.postgresql", "org.apache.kafka",
            "org.jdbi", "com.fasterxml.jackson", "com.networknt", "org.eclipse.jetty", "org.glassfish.jersey",
            "net.jpountz", "com.github.luben", "com.codahale.metrics", "ch.qos.logback");

    private final Recording recording;
    private final Path file;
    private Instant countFrom = Instant.MIN;

    Profiler(Path file) throws Exception {
        this.file = file;
        this.recording = new Recording(Configuration.getConfiguration("profile"));
        recording.start();
    }

    /**
     * Counts only samples from now on. The recording itself must start before a warm-up: starting JFR instruments
     * JDK classes and throws their compiled code away, which cut the measured ingest that followed to a third.
     */
    void countFromNow() {
        countFrom = Instant.now();
    }

    /**
     * What the samples say: the hottest methods and the share of each area of code and thread; and how many
     * compilations JFR recorded (those over 100 ms, with the profile settings): many mean the JIT was still busy.
     */
    record Profile(long samples, Map<String, Long> hotMethods, Map<String, Long> areas, Map<String, Long> threads,
                   long compilations) {
    }

    Profile stop() throws Exception {
        recording.stop();
        recording.dump(file);
        return read(file, countFrom, Instant.MAX);
    }

    /** The samples of a recording (e.g. one a child JVM wrote) taken between {@code from} and {@code to}. */
    static Profile read(Path file, Instant from, Instant to) throws Exception {
        Map<String, Long> methods = new HashMap<>();
        Map<String, Long> areas = new HashMap<>();
        Map<String, Long> threads = new HashMap<>();
        long samples = 0;
        long compilations = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
            if (event.getEventType().getName().equals("jdk.Compilation") && !event.getStartTime().isBefore(from)
                    && !event.getStartTime().isAfter(to)) {
                compilations++;
            }
            if (!event.getEventType().getName().equals("jdk.ExecutionSample") || event.getStackTrace() == null
                    || event.getStackTrace().getFrames().isEmpty() || event.getStartTime().isBefore(from)
                    || event.getStartTime().isAfter(to)) {
                continue;
            }
            samples++;
            List<RecordedFrame> frames = event.getStackTrace().getFrames();
            RecordedFrame top = frames.get(0);
            methods.merge(top.getMethod().getType().getName() + "." + top.getMethod().getName(), 1L, Long::sum);
            areas.merge(area(frames), 1L, Long::sum);
            // Pools number their threads: dw-42 and dw-43 do the same work.
            String thread = event.getThread("sampledThread") == null ? "?"
                    : event.getThread("sampledThread").getJavaName().replaceAll("[0-9]+", "N");
            threads.merge(thread, 1L, Long::sum);
        }
        return new Profile(samples, top(methods, 15), top(areas, 12), top(threads, 8), compilations);
    }

    /** The innermost frame in a named library decides the area; samples wholly inside the JDK count as JDK. */
    private static String area(List<RecordedFrame> frames) {
        for (RecordedFrame frame : frames) {
            String type = frame.getMethod().getType().getName();
            for (String area : AREAS) {
                if (type.startsWith(area)) {
                    return area;
                }
            }
        }
        return "JDK";
    }

    private static Map<String, Long> top(Map<String, Long> counts, int limit) {
        Map<String, Long> top = new LinkedHashMap<>();
        counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(limit)
                .forEach(entry -> top.put(entry.getKey(), entry.getValue()));
        return top;
    }

    @Override
    public void close() {
        recording.close();
    }
}
