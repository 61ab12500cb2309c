package io.hookshard.embedded;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A server running as a direct child of this JVM, so that it can be killed with SIGKILL and started again,
 * and so that it never outlives the JVM: a shutdown hook kills it (and its own children) if nobody stopped it.
 *
 * <p>The child runs in a session and process group of its own ({@code setsid}): the signals a terminal sends to its
 * foreground group (SIGINT for Ctrl-C, SIGQUIT for Ctrl-\, SIGHUP when it closes) reach this JVM only, whose own
 * code then stops the child, in its owner's order. {@code setsid} execs without forking when its caller leads no
 * process group, which a JVM's child never does, so the PID held here stays the server's PID.
 */
public final class ChildProcess {
    private static final Logger LOG = LoggerFactory.getLogger(ChildProcess.class);
    private static final Optional<Path> SETSID = onPath("setsid");

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
    public static ChildProcess start(String name, List<String> command, Path log, String stopSignal,
                                     boolean stopOnJvmExit)
            throws IOException {
        return start(name, command, Map.of(), log, stopSignal, stopOnJvmExit);
    }

    /** @param environment variables added to this JVM's environment for the child (e.g. a secret) */
    public static ChildProcess start(String name, List<String> command, Map<String, String> environment, Path log,
                                     String stopSignal, boolean stopOnJvmExit) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(inSessionOfItsOwn(name, command))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        ChildProcess child = new ChildProcess(name, builder.start(), stopSignal, stopOnJvmExit);
        if (!child.watchJvmExit()) {
            child.killTree();
            throw new IllegalStateException("not starting " + name + ": the JVM is shutting down");
        }
        LOG.debug("started {} as pid {}: {}", name, child.process.pid(), command);
        return child;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** How the process ended: its exit code, or 128 + the signal's number when a signal ended it. */
    public int exitValue() {
        return process.exitValue();
    }

    /** Sends {@code signal} (e.g. "INT", "TERM") and waits; kills the tree when the wait runs out. */
    public void stop(String signal, Duration wait) {
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
        } else {
            LOG.warn("{} (pid {}) had already exited with code {} before it was asked to stop", name, process.pid(),
                    process.exitValue());
        }
        killTree();
    }

    /**
     * Sends {@code signal} (e.g. "STOP", "CONT") to the process and every descendant, the process first, so that a
     * stopped parent forks no child the signal misses. Returns once sent; nothing waits for an effect.
     */
    public void signalTree(String signal) {
        List<Long> pids = new ArrayList<>(List.of(process.pid()));
        process.descendants().forEach(handle -> pids.add(handle.pid()));
        List<String> command = new ArrayList<>(List.of("kill", "-" + signal));
        pids.forEach(pid -> command.add(Long.toString(pid)));
        try {
            int exit = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
            if (exit != 0) {
                // A descendant that exited meanwhile makes kill(1) fail for its PID only; the others got the signal.
                LOG.debug("kill -{} {} exited with {}", signal, pids, exit);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not send SIG" + signal + " to " + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending SIG" + signal + " to " + name, e);
        }
    }

    /** SIGKILL for the process and every descendant, as a crash would; waits until they are gone. */
    public void kill() {
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

    /**
     * Registers the stop hook, or for an owner that stops the process itself checks that one could be registered.
     * False once the JVM is exiting: a process started then would outlive it, as no hook or owner stops it any more
     * and no terminal signal reaches its session. Checked after the start, so a process is either refused here or
     * started early enough for its owner's stop to see it.
     */
    private boolean watchJvmExit() {
        Thread hook = shutdownHook != null ? shutdownHook : new Thread(() -> { }, "probe-" + name);
        try {
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            return false;
        }
        if (shutdownHook == null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDownSinceTheStart) {
                // the owner's stop, which runs from now on, sees the process
            }
        }
        return true;
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

    private static List<String> inSessionOfItsOwn(String name, List<String> command) {
        if (SETSID.isEmpty()) {
            LOG.warn("no setsid on the PATH: {} shares this terminal's process group, so Ctrl-C stops it at once,"
                    + " not in its owner's order", name);
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of(SETSID.get().toString()));
        wrapped.addAll(command);
        return wrapped;
    }

    private static Optional<Path> onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        return Arrays.stream(path.split(File.pathSeparator))
                .filter(directory -> !directory.isEmpty())
                .map(directory -> Path.of(directory, program))
                .filter(Files::isExecutable)
                .findFirst();
    }
}
