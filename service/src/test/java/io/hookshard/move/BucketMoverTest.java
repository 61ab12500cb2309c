package io.hookshard.move;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class BucketMoverTest {
    private static final List<Integer> BUCKETS = IntStream.concat(IntStream.rangeClosed(0, 255),
            IntStream.of(300)).boxed().toList();

    @Test
    void aStoppedMoveNamesItsShardsItsBucketsWhatStoppedItAndHowToResume() {
        Move move = new Move(null, 7, BUCKETS, "shard-a", "shard-c", "copying", null, 0, 0);
        RuntimeException lost = new IllegalStateException("Unable to set isolation level to 4",
                new java.sql.SQLException("This connection has been closed."));

        BucketMover.MoveFailed failed = BucketMover.stopped(move, lost);

        assertThat(failed).hasCause(lost).hasMessageStartingWith(
                "move 7 of buckets [0-255, 300] from shard-a to shard-c stopped (Unable to set isolation level to 4;"
                        + " caused by java.sql.SQLException: This connection has been closed.)")
                .hasMessageContaining("resumes it where it stopped");
    }

    @Test
    void anUnfinishedMoveIsToldWithWhatWaitsAndTheCommandThatFinishesIt() {
        Move frozen = new Move(null, 3, BUCKETS, "shard-a", "shard-c", "frozen", "snap", 10, 0);
        Move copying = new Move(null, 4, List.of(9), "shard-b", "shard-a", "copying", null, 0, 0);

        assertThat(BucketMover.unfinishedNotice(frozen)).startsWith("bucket move 3 of buckets 0-255,300 from shard-a"
                        + " to shard-c is unfinished (state frozen), unless a mover is running it now: its buckets are frozen on"
                        + " shard-a and their events"
                        + " wait until it finishes")
                .contains("POST /tasks/buckets-move?buckets=0-255,300&to=shard-c");
        assertThat(BucketMover.unfinishedNotice(copying)).contains("its buckets are still served by shard-b")
                .contains("--buckets 9 --to shard-a");
    }
}
