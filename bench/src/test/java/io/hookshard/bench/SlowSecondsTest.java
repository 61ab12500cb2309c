package io.hookshard.bench;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SlowSecondsTest {
    private static final long MS = 1_000_000;

    @Test
    void groupsASecondsLateEventsByShardAndTransaction() {
        List<SlowSeconds.Late> late = List.of(
                new SlowSeconds.Late(3, 0, 1_150_000, 1_000_000),
                new SlowSeconds.Late(3, 1, 1_150_000, 1_010_000),
                new SlowSeconds.Late(3, 0, 1_150_000, 1_020_000),
                new SlowSeconds.Late(3, 0, 1_200_000, 1_040_000),
                new SlowSeconds.Late(4, 1, 2_000_000, 1_900_000));

        assertThat(SlowSeconds.lateEvents(late, 3)).isEqualTo("4 late event(s) received over 40 ms, stored in 3"
                + " transaction(s): {shard 0=+150 ms: 2, +200 ms: 1, shard 1=+150 ms: 1}");
    }

    @Test
    void ordersTransactionsByTheirStartNotTheirText() {
        List<SlowSeconds.Late> late = List.of(
                new SlowSeconds.Late(0, 0, 1_000_000 + 1_010_000, 1_000_000),
                new SlowSeconds.Late(0, 0, 1_000_000 + 112_000, 1_000_000));

        assertThat(SlowSeconds.lateEvents(late, 0)).endsWith("{shard 0=+112 ms: 1, +1010 ms: 1}");
    }

    @Test
    void describesOnlyTheSecondsOverTheThreshold() {
        long[] maxBySecond = {40 * MS, 250 * MS, 99 * MS};
        List<MachineStalls.Second> stalls = List.of(new MachineStalls.Second(0, 0, 0, 0),
                new MachineStalls.Second(0, 10, 20, 5), new MachineStalls.Second(0, 0, 0, 0));
        Map<String, Object> detail = new HashMap<>();

        List<String> slow = SlowSeconds.describe(maxBySecond, List.of(), List.of(), stalls, detail);

        assertThat(slow).singleElement().asString().startsWith("second 1 (250 ms): CPU not sampled; steal 0 ms,"
                + " I/O full 5 ms").endsWith("no event over the threshold");
        assertThat(detail).containsKeys("cpu_ms_by_second", "steal_ms_by_second", "io_full_ms_by_second",
                "slow_seconds");
    }

    @Test
    void logsTheWorstFewSecondsAndHowManyThereWere() {
        List<String> slow = List.of("second 0 (120 ms): a", "second 1 (900 ms): b", "second 2 (300 ms): c",
                "second 3 (1100 ms): d");

        assertThat(SlowSeconds.worst(slow, 2)).isEqualTo("4, the 2 worst: second 3 (1100 ms): d; second 1 (900 ms): b");
        assertThat(SlowSeconds.worst(List.of("second 5 (101 ms): e"), 2)).isEqualTo("1: second 5 (101 ms): e");
        assertThat(SlowSeconds.worst(List.of(), 2)).isEqualTo("none");
    }
}
