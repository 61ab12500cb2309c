package io.hookshard.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Load from a process of its own: wrk for closed loops where it is installed, otherwise {@link LoadGenerator} in a
 * JVM of its own; always {@link LoadGenerator} for open loops (plain wrk has no fixed rate, and wrk2 is not packaged),
 * whose latencies run from each request's intended send time. The generator's JVM is started once and reused: one
 * started for every load spent the first seconds of each measured window compiling its own event loop on the two
 * cores it shares with the target.
 */
final class Load implements AutoCloseable {
    private final Optional<Wrk> wrk;
    private final Path logs;
    private final int users;
    private final int connections;
    private Process generator;
    private Writer commands;
    private BufferedReader results;

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

    private synchronized LoadGenerator.Result generator(String name, int port, int rate, double warmup,
                                                        double seconds, String run)
            throws IOException, InterruptedException {
        if (generator == null || !generator.isAlive()) {
            start();
        }
        commands.write(String.join(" ", Integer.toString(port), BenchStack.SECRET, Integer.toString(users),
                Integer.toString(connections), Integer.toString(rate), Double.toString(warmup),
                Double.toString(seconds), run) + "\n");
        commands.flush();
        String output = results.readLine();
        if (output == null || output.isBlank()) {
            generator.waitFor(5, TimeUnit.SECONDS);
            throw new IllegalStateException("the load generator failed (see " + logs.resolve("load-generator.log")
                    + ")" + (generator.isAlive() ? "" : ", exit status " + generator.exitValue()));
        }
        return LoadGenerator.fromJson(name, output.strip());
    }

    private void start() throws IOException {
        List<String> command = List.of(Target.java(), "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                LoadGenerator.class.getName(), "serve");
        generator = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(logs.resolve("load-generator.log").toFile())).start();
        commands = new OutputStreamWriter(generator.getOutputStream(), StandardCharsets.UTF_8);
        results = new BufferedReader(new InputStreamReader(generator.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Ends the generator: it exits at the end of its input. */
    @Override
    public synchronized void close() throws InterruptedException {
        if (generator != null) {
            try {
                commands.close();
            } catch (IOException e) {
                // it has gone already
            }
            if (!generator.waitFor(10, TimeUnit.SECONDS)) {
                generator.destroyForcibly();
            }
        }
    }
}
