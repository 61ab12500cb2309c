package io.hookshard.bench;

import io.hookshard.embedded.ChildProcess;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A server under test as a JVM of its own, with the same JVM options as the others, so that no target shares a heap,
 * a JIT or a garbage collector with the broker, the load generator or another target.
 */
final class Target implements AutoCloseable {
    /** The same for every target: a fixed heap, so that none measures its own heap growth. */
    static final List<String> JVM_OPTIONS = List.of("-Xms1g", "-Xmx1g");

    private final String name;
    private final int port;
    private final ChildProcess process;
    private final Path jfr;

    private Target(String name, int port, ChildProcess process, Path jfr) {
        this.name = name;
        this.port = port;
        this.process = process;
        this.jfr = jfr;
    }

    /**
     * Starts {@code java <options> <arguments>} and returns once {@code port} takes connections.
     *
     * @param jfr where the JVM writes its JFR recording (started with the JVM, written when it stops), or null
     */
    static Target start(String name, List<String> arguments, Map<String, String> environment, int port, Path log,
                        Path jfr) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(java()));
        command.addAll(JVM_OPTIONS);
        if (jfr != null) {
            // Started with the JVM: a recording started later throws compiled JDK code away mid-run.
            command.add("-XX:StartFlightRecording=settings=profile,dumponexit=true,filename=" + jfr);
        }
        command.addAll(arguments);
        ChildProcess process = ChildProcess.start(name, command, environment, log, "TERM", true);
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!listening(port)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited while starting; see " + log);
            }
            if (System.nanoTime() > deadline) {
                process.kill();
                throw new IllegalStateException(name + " did not listen on " + port + " within 120 s; see " + log);
            }
            Thread.sleep(100);
        }
        return new Target(name, port, process, jfr);
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    String name() {
        return name;
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    /** The JFR recording, complete once {@link #close()} returned; null when not recorded. */
    Path jfr() {
        return jfr;
    }

    /** SIGTERM: a graceful stop, during which the JVM writes its recording. */
    @Override
    public void close() {
        process.stop("TERM", Duration.ofSeconds(60));
    }
}
