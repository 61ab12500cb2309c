package io.hookshard.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Load from a process of its own: wrk for closed loops where it is installed, otherwise {@link LoadGenerator} in a
 * JVM of its own; always {@link LoadGenerator} for open loops (plain wrk has no fixed rate, and wrk2 is not packaged),
 * whose latencies run from each request's intended send time.
 */
final class Load {
    private final Optional<Wrk> wrk;
    private final Path logs;
    private final int users;
    private final int connections;

    Load(Optional<Wrk> wrk, Path logs, int users, int connections) {
        this.wrk = wrk;
        this.logs = logs;
        this.users = users;
        this.connections = connections;
    }

    String closedLoopTool() {
        return wrk.isPresent() ? "wrk -t2 -c" + connections : "LoadGenerator (own JVM), " + connections
                + " connections";
    }

    /** Maximum throughput: every connection sends its next request as soon as the last is answered. */
    LoadGenerator.Result closed(String name, int port, double seconds) throws IOException, InterruptedException {
        if (wrk.isPresent()) {
            return wrk.get().run(name, port, BenchStack.SECRET, users, connections, seconds);
        }
        return generator(name, port, 0, 1, seconds);
    }

    /** A fixed rate; {@code warmup} seconds of it are not counted (the generator's own JIT among them). */
    LoadGenerator.Result open(String name, int port, int rate, double warmup, double seconds)
            throws IOException, InterruptedException {
        return open(name, port, rate, warmup, seconds, "g" + System.nanoTime());
    }

    /**
     * The same, with the run id of the webhooks' provider event ids ({@code evt-<run>-<i>}, request {@code i} due at
     * {@code i / rate} s; those from {@code warmup * rate} on are the measured ones).
     */
    LoadGenerator.Result open(String name, int port, int rate, double warmup, double seconds, String run)
            throws IOException, InterruptedException {
        return generator(name, port, rate, warmup, seconds, run);
    }

    private LoadGenerator.Result generator(String name, int port, int rate, double warmup, double seconds)
            throws IOException, InterruptedException {
        return generator(name, port, rate, warmup, seconds, "g" + System.nanoTime());
    }

    private LoadGenerator.Result generator(String name, int port, int rate, double warmup, double seconds,
                                           String run) throws IOException, InterruptedException {
        List<String> command = List.of(Target.java(), "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                LoadGenerator.class.getName(), Integer.toString(port), BenchStack.SECRET, Integer.toString(users),
                Integer.toString(connections), Integer.toString(rate), Double.toString(warmup),
                Double.toString(seconds), run);
        Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(logs.resolve("load-generator.log").toFile())).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (process.waitFor() != 0 || output.isEmpty()) {
            throw new IllegalStateException("the load generator failed (see " + logs.resolve("load-generator.log")
                    + "): " + output);
        }
        return LoadGenerator.fromJson(name, output.lines().reduce((first, last) -> last).orElseThrow());
    }
}
