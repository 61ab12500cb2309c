package io.hookshard.embedded;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server running as a direct child of this JVM, so that it can be killed with SIGKILL and started again,
 * and so that it never outlives the JVM: a shutdown hook kills it (and its own children) if nobody stopped it.
 */
final class ChildProcess {
    private static final Logger LOG = LoggerFactory.getLogger(ChildProcess.class);

    private final String name;
    private final Process process;
    private final Thread shutdownHook;

    private ChildProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        this.shutdownHook = new Thread(this::killTree, "kill-" + name);
    }

    static ChildProcess start(String name, List<String> command, Path log) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        ChildProcess child = new ChildProcess(name, builder.start());
        Runtime.getRuntime().addShutdownHook(child.shutdownHook);
        LOG.debug("started {} as pid {}: {}", name, child.process.pid(), command);
        return child;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** Sends {@code signal} (e.g. "INT", "TERM") and waits; kills the tree when the wait runs out. */
    void stop(String signal, Duration wait) {
        if (process.isAlive()) {
            try {
                new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start().waitFor();
                if (!process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.warn("{} did not stop within {} after SIG{}; killing it", name, wait, signal);
                }
            } catch (IOException e) {
                LOG.warn("could not signal {}; killing it", name, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        killTree();
        removeHook();
    }

    /** SIGKILL for the process and every descendant, as a crash would; waits until they are gone. */
    void kill() {
        killTree();
        removeHook();
    }

    private void killTree() {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(30, TimeUnit.SECONDS);
            for (ProcessHandle handle : descendants) {
                handle.onExit().get(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("a child of {} did not exit after SIGKILL", name, e);
        }
    }

    private void removeHook() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running or has run; nothing left to remove
        }
    }
}
