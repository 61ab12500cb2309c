package io.hookshard.devstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A postgres already running on a dev shard's data directory when dev mode starts. Either another dev mode still runs
 * it (its parent, a JVM), or it is left over from a dev mode killed with {@code kill -9}: the shards run in sessions of
 * their own, so they outlive it and keep their data directories and ports. Recognised by the directory's
 * postmaster.pid naming a live process whose command line runs postgres on that very directory (a pid reused by
 * another program is not it); stopped as dev mode's own stop does: SIGINT, PostgreSQL's fast shutdown.
 */
final class ShardPostmaster {
    static final Duration STOP_WAIT = Duration.ofSeconds(60);

    private final String name;
    private final ProcessHandle postmaster;

    private ShardPostmaster(String name, ProcessHandle postmaster) {
        this.name = name;
        this.postmaster = postmaster;
    }

    static Optional<ShardPostmaster> find(String name, Path dataDirectory) throws IOException {
        Path directory = dataDirectory.toAbsolutePath().normalize();
        return PostmasterPid.read(directory)
                .filter(pidFile -> pidFile.dataDirectory().toAbsolutePath().normalize().equals(directory))
                .flatMap(pidFile -> ProcessHandle.of(pidFile.pid()))
                .filter(ProcessHandle::isAlive)
                .filter(process -> runsPostgresOn(process.info().command().orElse(""),
                        process.info().arguments().map(List::of).orElse(List.of()), directory))
                .map(process -> new ShardPostmaster(name, process));
    }

    /** {@code .../postgres -D <directory> ...}, as {@code PostgresServer} starts it. */
    static boolean runsPostgresOn(String command, List<String> arguments, Path directory) {
        // The command is unknown when /proc/<pid>/exe cannot be read; the arguments then decide.
        if (!command.isEmpty() && !Path.of(command).getFileName().toString().equals("postgres")) {
            return false;
        }
        int option = arguments.indexOf("-D");
        return option >= 0 && option + 1 < arguments.size()
                && Path.of(arguments.get(option + 1)).toAbsolutePath().normalize().equals(directory);
    }

    /**
     * The JVM that runs this postmaster as its child, a dev mode still up; empty for a leftover, which its killed dev
     * mode's exit handed over to init (or another reaper, never a JVM).
     */
    Optional<ProcessHandle> runningDevMode() {
        return postmaster.parent().filter(parent -> isJava(parent.info().command().orElse("")));
    }

    static boolean isJava(String command) {
        return !command.isEmpty() && Path.of(command).getFileName().toString().equals("java");
    }

    long pid() {
        return postmaster.pid();
    }

    /** SIGINT, then waits until the postmaster is gone: its port and data directory are free afterwards. */
    void stop() throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-INT", Long.toString(postmaster.pid())).inheritIO().start().waitFor();
        // Polled, as onExit() of a process that is not our child would be, and a zombie counts as gone.
        long deadline = System.nanoTime() + STOP_WAIT.toNanos();
        while (postmaster.isAlive() && !exited(postmaster.pid())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " (pid " + postmaster.pid() + ", left running by a dev mode"
                        + " that was killed) did not stop within " + STOP_WAIT.toSeconds() + " s of SIGINT; stop it,"
                        + " then start dev mode again");
            }
            Thread.sleep(50);
        }
    }

    /**
     * A zombie has exited and released its port and files; only its reaper (init, for an orphan) has yet to collect
     * it, which some inits do seconds later. Linux's /proc says so; elsewhere the process counts as alive.
     */
    private static boolean exited(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return isZombie(stat);
        } catch (IOException | RuntimeException unreadable) {
            return false;
        }
    }

    /** {@code /proc/<pid>/stat}: {@code pid (command) state ...}; the command may hold spaces and parentheses. */
    static boolean isZombie(String stat) {
        int end = stat.lastIndexOf(") ");
        return end >= 0 && end + 2 < stat.length() && stat.charAt(end + 2) == 'Z';
    }
}
