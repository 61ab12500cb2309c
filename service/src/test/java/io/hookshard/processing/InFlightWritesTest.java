package io.hookshard.processing;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class InFlightWritesTest {
    private final AtomicLong clock = new AtomicLong();
    private final InFlightWrites inFlight = new InFlightWrites(clock::get);

    @Test
    void saysNothingOfWritesThatAnswerInTime() {
        InFlightWrites.Write write = inFlight.begin("shard-a", "orders", 500);
        clock.addAndGet(InFlightWrites.SLOW.toNanos() - 1);

        assertThat(inFlight.slowShards()).isEmpty();
        assertThat(inFlight.end(write)).isEmpty();
    }

    @Test
    void namesEachHungShardOnceAWhileWithItsWritesAndTheOldestWait() {
        inFlight.begin("shard-b", "orders", 400);
        clock.addAndGet(2_000_000_000L);
        inFlight.begin("shard-b", "directory", 100);
        inFlight.begin("shard-a", "orders", 7);
        clock.addAndGet(4_000_000_000L);

        assertThat(inFlight.slowShards()).singleElement().asString().startsWith(
                "shard shard-b has not answered 1 write(s) of 400 event(s) for up to 6.0 s:");

        clock.addAndGet(InFlightWrites.REPEAT.toNanos() - 1);
        assertThat(inFlight.slowShards()).singleElement().asString()
                .startsWith("shard shard-a has not answered 1 write(s) of 7 event(s) for up to 14.0 s:");
        clock.addAndGet(1);
        assertThat(inFlight.slowShards()).singleElement().asString()
                .startsWith("shard shard-b has not answered 2 write(s) of 500 event(s) for up to 16.0 s:");
    }

    @Test
    void saysAfterHowLongAReportedWriteAnswered() {
        InFlightWrites.Write write = inFlight.begin("shard-c", "disputes", 12);
        clock.addAndGet(31_500_000_000L);
        assertThat(inFlight.slowShards()).hasSize(1);

        assertThat(inFlight.end(write)).hasValue("shard shard-c answered a write of 12 event(s) (disputes) after 31.5 s");
        assertThat(inFlight.slowShards()).isEmpty();
    }

    @Test
    void namesTheShardAtOnceWhenItHangsAgainAfterAnswering() {
        InFlightWrites.Write first = inFlight.begin("shard-a", "orders", 1);
        clock.addAndGet(InFlightWrites.SLOW.toNanos());
        assertThat(inFlight.slowShards()).hasSize(1);
        inFlight.end(first);

        inFlight.begin("shard-a", "orders", 2);
        clock.addAndGet(InFlightWrites.SLOW.toNanos());

        assertThat(inFlight.slowShards()).singleElement().asString()
                .startsWith("shard shard-a has not answered 1 write(s) of 2 event(s)");
    }
}
