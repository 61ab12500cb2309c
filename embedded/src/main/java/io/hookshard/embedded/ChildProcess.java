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

    private ChildProcess(String name, Process process, String stopSignal, boolean stopOnJvmExit) {
        this.name = name;
        this.process = process;
        this.shutdownHook = stopOnJvmExit ? new Thread(() -> signalAndWait(stopSignal, Duration.ofSeconds(10)),
                "stop-" + name) : null;
    }

    /**
     * @param stopSignal    how the JVM's exit stops the process gracefully (then SIGKILL after 10 s)
     * @param stopOnJvmExit false when the caller stops the process itself, in an order of its own
     */
    static ChildProcess start(String name, List<String> command, Path log, String stopSignal, boolean stopOnJvmExit)
            throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        ChildProcess child = new ChildProcess(name, builder.start(), stopSignal, stopOnJvmExit);
        if (child.shutdownHook != null) {
            Runtime.getRuntime().addShutdownHook(child.shutdownHook);
        }
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
        signalAndWait(signal, wait);
        removeHook();
    }

    private void signalAndWait(String signal, Duration wait) {
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
        if (shutdownHook == null) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running or has run; nothing left to remove
        }
    }
}
