package io.hookshard.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar hookshard.jar shards <action> <config> ...} as a JVM of its own, the way an operator runs it, so
 * that a test can SIGKILL it mid-move. Its output (stdout and stderr) goes to a file the test can wait on.
 */
public final class ShardsCli {
    private final Process process;
    private final Path output;

    private ShardsCli(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /**
     * @param configResource a configuration file of the test resources; shard {@code i} is {@code shardUrls.get(i)}
     * @param jvmOptions     e.g. {@code -Dhookshard.move.holdAt=frozen}
     * @param arguments      what follows {@code shards}, the config file being inserted after the first (the action)
     */
    public static ShardsCli start(List<String> shardUrls, String configResource, Path output, List<String> jvmOptions,
                                  String... arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m"));
        for (int i = 0; i < shardUrls.size(); i++) {
            command.add("-Ddw.shards.shards[" + i + "].database.url=" + shardUrls.get(i));
        }
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", Path.of("target", "hookshard.jar").toAbsolutePath().toString(), "shards",
                arguments[0], Path.of("src", "test", "resources", configResource).toAbsolutePath().toString()));
        command.addAll(List.of(arguments).subList(1, arguments.length));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
        return new ShardsCli(process, output);
    }

    /** Waits until the output holds {@code text}; fails if the command exits first or the time runs out. */
    public ShardsCli awaitOutput(String text, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (output().contains(text)) {
                return this;
            }
            if (!process.isAlive() && !output().contains(text)) {
                throw new IllegalStateException("shards exited (" + process.exitValue() + ") before printing '"
                        + text + "':\n" + output());
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("no '" + text + "' within " + within + ":\n" + output());
    }

    /** Waits for the command to end; returns its output, failing unless it exited with 0. */
    public String awaitSuccess(Duration within) throws Exception {
        if (awaitExit(within) != 0) {
            throw new IllegalStateException("shards exited with " + process.exitValue() + ":\n" + output());
        }
        return output();
    }

    /** Waits for the command to end; returns its exit status. */
    public int awaitExit(Duration within) throws Exception {
        if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("shards did not end within " + within + ":\n" + output());
        }
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hook, no finally block, no connection closed politely. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    public String output() throws IOException {
        return Files.readString(output, StandardCharsets.UTF_8);
    }
}
