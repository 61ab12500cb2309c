package io.hookshard.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A process's CPU time (user + system) from /proc, in clock ticks; 0 where /proc is absent. */
final class Cpu {
    /** USER_HZ, 100 on Linux on every common architecture. */
    static final double TICKS_PER_SECOND = 100.0;

    private Cpu() {
    }

    static long ticks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name may hold spaces and parentheses: fields are counted after its closing parenthesis.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException | RuntimeException unavailable) {
            return 0;
        }
    }
}
