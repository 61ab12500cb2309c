package io.hookshard.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/** CPU time (user + system) from /proc, in clock ticks; 0 where /proc is absent. */
final class Cpu {
    /** USER_HZ, 100 on Linux on every common architecture. */
    static final double TICKS_PER_SECOND = 100.0;
    /** The key of {@link #byTree}'s busy time of the whole machine. */
    static final String MACHINE = "machine";
    /** The key of {@link #perUnit}'s machine time outside the named trees. */
    static final String OTHER = "other";

    private Cpu() {
    }

    /**
     * The CPU time of each named process tree, and under {@link #MACHINE} the whole machine's busy time (all but idle
     * and I/O wait). A tree's time is what its live processes used plus what their exited children used: a shard's
     * backends and autovacuum workers come and go, and the postmaster collects what each one used when it exits.
     */
    static Map<String, Long> byTree(Map<String, Long> roots) {
        Map<Long, long[]> processes = new HashMap<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            entries.filter(entry -> entry.getFileName().toString().chars().allMatch(Character::isDigit))
                    .forEach(entry -> {
                        long[] stat = stat(entry.resolve("stat"));
                        if (stat != null) {
                            processes.put(Long.parseLong(entry.getFileName().toString()), stat);
                        }
                    });
        } catch (IOException | RuntimeException unavailable) {
            return Map.of();
        }
        Map<Long, String> owner = new HashMap<>();
        roots.forEach((name, pid) -> owner.put(pid, name));
        Map<String, Long> ticks = new LinkedHashMap<>();
        roots.keySet().forEach(name -> ticks.put(name, 0L));
        for (var process : processes.entrySet()) {
            String name = treeOf(process.getKey(), processes, owner);
            if (name != null) {
                long[] stat = process.getValue();
                ticks.merge(name, stat[1] + stat[2] + stat[3] + stat[4], Long::sum);
            }
        }
        ticks.put(MACHINE, machineBusy());
        return ticks;
    }

    /**
     * The CPU time of one process's threads, grouped by name with digits dropped ("dw-41" and "dw-7" are "dw-"; Linux
     * keeps the first 15 characters of a name); empty where /proc is absent. Threads that exited in between are not
     * counted: the groups show where a steady process spends, not every tick.
     */
    static Map<String, Long> byThreadGroup(long pid) {
        Map<String, Long> ticks = new java.util.TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            tasks.forEach(task -> {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
                            .replaceAll("[0-9]+", "N");
                    long[] times = times(stat);
                    ticks.merge(name, times[1] + times[2], Long::sum);
                } catch (IOException | RuntimeException gone) {
                    // the thread exited
                }
            });
        } catch (IOException | RuntimeException unavailable) {
            return Map.of();
        }
        return ticks;
    }

    /** A process's own user and system time, in clock ticks (threads that exited included); zeros once it is gone. */
    static long[] userAndSystem(long pid) {
        long[] times = stat(Path.of("/proc", Long.toString(pid), "stat"));
        return times == null ? new long[2] : new long[] {times[1], times[2]};
    }

    /** Microseconds per unit of work of each group between two {@link #byThreadGroup} readings, largest first. */
    static Map<String, Double> perUnitByGroup(Map<String, Long> before, Map<String, Long> after, long units) {
        Map<String, Double> perUnit = new LinkedHashMap<>();
        after.entrySet().stream()
                .map(entry -> Map.entry(entry.getKey(), entry.getValue() - before.getOrDefault(entry.getKey(), 0L)))
                .filter(entry -> entry.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(entry -> perUnit.put(entry.getKey(), microsPerUnit(entry.getValue(), units)));
        return perUnit;
    }

    /**
     * The share of a JVM's CPU its JIT compiler threads used between two {@link #byThreadGroup} readings: 1 when it
     * used none at all (nothing ran, so nothing says the compiler is done).
     */
    static double compilerShare(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Double> used = perUnitByGroup(before, after, 1);
        double all = used.values().stream().mapToDouble(Double::doubleValue).sum();
        double compiler = used.entrySet().stream().filter(group -> group.getKey().contains("CompilerThre"))
                .mapToDouble(Map.Entry::getValue).sum();
        return all > 0 ? compiler / all : 1;
    }

    private static String treeOf(long pid, Map<Long, long[]> processes, Map<Long, String> owner) {
        for (int depth = 0; depth < 64 && pid > 1; depth++) {
            String name = owner.get(pid);
            if (name != null) {
                return name;
            }
            long[] stat = processes.get(pid);
            if (stat == null) {
                return null;
            }
            pid = stat[0];
        }
        return null;
    }

    /** ppid, utime, stime, cutime, cstime; null once the process is gone. */
    private static long[] stat(Path file) {
        try {
            return times(Files.readString(file));
        } catch (IOException | RuntimeException gone) {
            return null;
        }
    }

    /** ppid, utime, stime, cutime, cstime of a process's or a thread's stat line. */
    private static long[] times(String stat) {
        // The command name may hold spaces and parentheses: fields are counted after its closing parenthesis.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new long[] {Long.parseLong(fields[1]), Long.parseLong(fields[11]), Long.parseLong(fields[12]),
                Long.parseLong(fields[13]), Long.parseLong(fields[14])};
    }

    private static double microsPerUnit(long ticks, long units) {
        return ticks / TICKS_PER_SECOND * 1e6 / Math.max(1, units);
    }

    private static long machineBusy() {
        try {
            String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < fields.length && i <= 8; i++) {
                if (i != 4 && i != 5) {
                    busy += Long.parseLong(fields[i]);
                }
            }
            return busy;
        } catch (IOException | RuntimeException unavailable) {
            return 0;
        }
    }

    /**
     * Where the machine's CPU went between two {@link #byTree} readings, in microseconds per unit of work: each named
     * tree, and as {@link #OTHER} the rest of the machine's busy time (the load generator, the benchmark's own JVM,
     * the kernel's threads).
     */
    static Map<String, Double> perUnit(Map<String, Long> before, Map<String, Long> after, long units) {
        Map<String, Double> perUnit = new LinkedHashMap<>();
        long accounted = 0;
        for (var entry : after.entrySet()) {
            if (!entry.getKey().equals(MACHINE)) {
                long used = entry.getValue() - before.getOrDefault(entry.getKey(), 0L);
                accounted += used;
                perUnit.put(entry.getKey(), microsPerUnit(used, units));
            }
        }
        long machine = after.getOrDefault(MACHINE, 0L) - before.getOrDefault(MACHINE, 0L);
        perUnit.put(OTHER, microsPerUnit(Math.max(0, machine - accounted), units));
        return perUnit;
    }

    /** Cores busy on the whole machine between two {@link #byTree} readings {@code seconds} apart. */
    static double busyCores(Map<String, Long> before, Map<String, Long> after, double seconds) {
        return (after.getOrDefault(MACHINE, 0L) - before.getOrDefault(MACHINE, 0L)) / TICKS_PER_SECOND / seconds;
    }

    /** e.g. "service 54 us, broker 12 us, other 3 us", in the map's order. */
    static String describe(Map<String, Double> microsecondsPerUnit) {
        return microsecondsPerUnit.entrySet().stream()
                .map(entry -> String.format("%s %.0f us", entry.getKey(), entry.getValue()))
                .collect(java.util.stream.Collectors.joining(", "));
    }
}
