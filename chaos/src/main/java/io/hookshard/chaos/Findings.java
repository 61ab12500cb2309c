package io.hookshard.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Problems the check found, counted by kind, with the first few of each kind spelled out. */
final class Findings {
    static final String LOST = "lost";
    static final String DOUBLED = "doubled";
    static final String WRONG_SHARD = "wrong_shard";
    static final String STATE_MISMATCHES = "state_mismatches";
    static final String EVENT_MISMATCHES = "event_mismatches";
    static final String INCOMPLETE = "incomplete";
    static final String UNEXPECTED_ROWS = "unexpected_rows";
    static final String DEAD_LETTERS_MISSING = "dead_letters_missing";
    static final String DEAD_LETTERS_UNEXPECTED = "dead_letters_unexpected";
    static final String DEAD_LETTERS_DUPLICATED = "dead_letters_duplicated";
    static final String DEAD_LETTERS_WRONG_REASON = "dead_letters_wrong_reason";
    static final String DOWNSTREAM_UNPUBLISHED = "downstream_unpublished";
    static final String DOWNSTREAM_MISSING = "downstream_missing";
    static final String DOWNSTREAM_OUT_OF_ORDER = "downstream_out_of_order";
    static final String DOWNSTREAM_UNEXPECTED = "downstream_unexpected";
    static final List<String> ALL = List.of(LOST, DOUBLED, WRONG_SHARD, STATE_MISMATCHES, EVENT_MISMATCHES,
            INCOMPLETE, UNEXPECTED_ROWS, DEAD_LETTERS_MISSING, DEAD_LETTERS_UNEXPECTED, DEAD_LETTERS_DUPLICATED,
            DEAD_LETTERS_WRONG_REASON, DOWNSTREAM_UNPUBLISHED, DOWNSTREAM_MISSING, DOWNSTREAM_OUT_OF_ORDER,
            DOWNSTREAM_UNEXPECTED);
    private static final int EXAMPLES = 10;

    private final Map<String, Long> counts = new TreeMap<>();
    private final Map<String, List<String>> examples = new TreeMap<>();

    Findings() {
        ALL.forEach(kind -> counts.put(kind, 0L));
    }

    void add(String kind, String example) {
        counts.merge(kind, 1L, Long::sum);
        List<String> some = examples.computeIfAbsent(kind, k -> new ArrayList<>());
        if (some.size() < EXAMPLES) {
            some.add(example);
        }
    }

    long count(String kind) {
        return counts.getOrDefault(kind, 0L);
    }

    long total() {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    Map<String, Long> counts() {
        return new TreeMap<>(counts);
    }

    Map<String, List<String>> examples() {
        Map<String, List<String>> copy = new TreeMap<>();
        examples.forEach((kind, some) -> copy.put(kind, List.copyOf(some)));
        return copy;
    }
}
