package io.hookshard.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An end-to-end window's seconds whose worst stored latency passed {@link #THRESHOLD_MS}, each laid beside what the
 * machine did in it: the CPU of each process, CPU stolen by the hypervisor, time every task stalled on I/O, and
 * where its late events were stored. A stall of the whole machine shows in neither process's profile nor the
 * broker's GC log; late events stored in the consumer's successive transactions on every shard at once waited for
 * the consumer, not for one shard.
 */
final class SlowSeconds {
    static final double THRESHOLD_MS = 100;

    /** One event stored late: its second of the window, its shard, its transaction's start and when it was received. */
    record Late(int second, int shard, long storedMicros, long receivedMicros) {
    }

    private SlowSeconds() {
    }

    /**
     * Each slow second described, in order; the window's figures by second go into {@code detail}.
     *
     * @param maxBySecond the worst stored latency of each second, in nanoseconds
     */
    static List<String> describe(long[] maxBySecond, List<Late> late, List<Map<String, Double>> cpuBySecond,
                                 List<MachineStalls.Second> stalls, Map<String, Object> detail) {
        detail.put("cpu_ms_by_second", cpuBySecond);
        detail.put("steal_ms_by_second", stalls.stream().map(MachineStalls.Second::stealMs).toList());
        detail.put("io_full_ms_by_second", stalls.stream().map(MachineStalls.Second::ioFullMs).toList());
        detail.put("io_some_ms_by_second", stalls.stream().map(MachineStalls.Second::ioSomeMs).toList());
        detail.put("iowait_ms_by_second", stalls.stream().map(MachineStalls.Second::iowaitMs).toList());
        List<String> slow = new ArrayList<>();
        for (int s = 0; s < maxBySecond.length; s++) {
            double worst = Report.ms(maxBySecond[s]);
            if (worst > THRESHOLD_MS) {
                slow.add(String.format("second %d (%.0f ms): %s; %s; %s", s, worst,
                        CpuTimeline.describe(s < cpuBySecond.size() ? cpuBySecond.get(s) : Map.of()),
                        s < stalls.size() ? stalls.get(s) : "stalls not sampled", lateEvents(late, s)));
            }
        }
        detail.put("slow_seconds", slow);
        return slow;
    }

    /** The {@code limit} worst of {@link #describe}'s seconds for the log, and how many there were in all. */
    static String worst(List<String> slow, int limit) {
        if (slow.isEmpty()) {
            return "none";
        }
        List<String> sorted = new ArrayList<>(slow);
        sorted.sort(java.util.Comparator.comparingDouble(SlowSeconds::worstMs).reversed());
        return slow.size() + (slow.size() > limit ? ", the " + limit + " worst: " : ": ")
                + String.join("; ", sorted.subList(0, Math.min(limit, sorted.size())));
    }

    /** The worst latency of a described second: "second 3 (250 ms): ..." */
    private static double worstMs(String described) {
        int open = described.indexOf('(');
        return Double.parseDouble(described.substring(open + 1, described.indexOf(" ms)", open)));
    }

    /**
     * Where a second's late events were stored: how many, received over how long, and in which shard transactions
     * (shard, then the transaction's start after the first of them was received, then its late events).
     */
    static String lateEvents(List<Late> late, int second) {
        List<Late> inSecond = late.stream().filter(event -> event.second() == second).toList();
        if (inSecond.isEmpty()) {
            return "no event over the threshold";
        }
        long firstReceived = inSecond.stream().mapToLong(Late::receivedMicros).min().orElseThrow();
        long lastReceived = inSecond.stream().mapToLong(Late::receivedMicros).max().orElseThrow();
        Map<Integer, Map<Long, Integer>> byShard = new TreeMap<>();
        for (Late event : inSecond) {
            byShard.computeIfAbsent(event.shard(), shard -> new TreeMap<>())
                    .merge((event.storedMicros() - firstReceived) / 1000, 1, Integer::sum);
        }
        Map<String, String> transactions = new LinkedHashMap<>();
        byShard.forEach((shard, starts) -> transactions.put("shard " + shard, String.join(", ", starts.entrySet()
                .stream().map(start -> "+" + start.getKey() + " ms: " + start.getValue()).toList())));
        long count = byShard.values().stream().mapToLong(Map::size).sum();
        return String.format("%d late event(s) received over %d ms, stored in %d transaction(s): %s", inSecond.size(),
                (lastReceived - firstReceived) / 1000, count, transactions);
    }
}
