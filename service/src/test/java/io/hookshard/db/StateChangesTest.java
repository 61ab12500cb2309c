package io.hookshard.db;

import io.hookshard.db.StateChanges.Change;
import io.hookshard.db.StateChanges.Position;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Which applied events are state changes, and so downstream events. */
class StateChangesTest {
    private static final Instant T = Instant.parse("2026-11-20T10:00:00Z");

    /** An event of an aggregate, as a store sees it. */
    record Event(String aggregate, String id, Instant at, int rank, String status) {
        Position position() {
            return new Position(at, rank, id, status);
        }
    }

    @Test
    void aNewAggregateAndEachNewerEventAreChangesWithTheStatusBeforeThem() {
        Event created = new Event("o1", "e1", T, 10, "created");
        Event paid = new Event("o1", "e2", T.plusSeconds(2), 40, "paid");
        Event otherOrder = new Event("o2", "e3", T, 40, "paid");

        assertThat(changes(List.of(created, otherOrder, paid), Map.of())).containsExactly(
                new Change<>(created, null), new Change<>(otherOrder, null), new Change<>(paid, "created"));
    }

    @Test
    void anEventNotNewerThanTheStateBeforeItChangesNothing() {
        Event paid = new Event("o1", "e2", T.plusSeconds(2), 40, "paid");
        Event lateAuthorized = new Event("o1", "e1", T.plusSeconds(1), 20, "authorized");
        Position stored = new Event("o1", "e0", T.plusSeconds(3), 20, "authorized").position();

        assertThat(changes(List.of(paid, lateAuthorized), Map.of())).containsExactly(new Change<>(paid, null));
        assertThat(changes(List.of(paid), Map.of("o1", stored))).isEmpty();
    }

    @Test
    void tiesAreSettledByRankThenByIdInCodePointOrder() {
        Event authorized = new Event("o1", "e9", T, 20, "authorized");
        Event paid = new Event("o1", "e1", T, 40, "paid");
        Event paidAgain = new Event("o1", "\uD83D\uDE00", T, 40, "paid");
        Event paidEarlierId = new Event("o1", "\uFF5E", T, 40, "paid");

        assertThat(changes(List.of(authorized, paid, paidAgain, paidEarlierId), Map.of())).extracting(Change::event)
                .containsExactly(authorized, paid, paidAgain);
    }

    @Test
    void theChangesDoNotDependOnHowTheAppliedEventsFellIntoBatches() {
        Random random = new Random(20261120);
        for (int world = 0; world < 200; world++) {
            List<Event> applied = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                int status = random.nextInt(4);
                applied.add(new Event("o" + random.nextInt(4), "e" + world + "-" + i,
                        T.plusMillis(random.nextInt(5)), 10 * (status + 1), "s" + status));
            }
            List<Change<Event>> oneByOne = batched(applied, 1);
            assertThat(batched(applied, applied.size())).as("world %d in one batch", world).isEqualTo(oneByOne);
            assertThat(batched(applied, 1 + random.nextInt(10))).as("world %d", world).isEqualTo(oneByOne);
            for (int i = 1; i < oneByOne.size(); i++) {
                Change<Event> previous = oneByOne.get(i - 1);
                Change<Event> change = oneByOne.get(i);
                if (previous.event().aggregate().equals(change.event().aggregate())) {
                    assertThat(Position.ORDER.compare(change.event().position(), previous.event().position()))
                            .isPositive();
                }
            }
        }
    }

    /** Applies the events in batches of {@code size}, each batch seeing the state the previous ones stored. */
    private static List<Change<Event>> batched(List<Event> applied, int size) {
        Map<String, Position> stored = new HashMap<>();
        List<Change<Event>> all = new ArrayList<>();
        for (int from = 0; from < applied.size(); from += size) {
            List<Event> batch = applied.subList(from, Math.min(applied.size(), from + size));
            all.addAll(changes(batch, stored));
            for (Event event : batch) {
                stored.merge(event.aggregate(), event.position(),
                        (a, b) -> Position.ORDER.compare(a, b) >= 0 ? a : b);
            }
        }
        return all;
    }

    private static List<Change<Event>> changes(List<Event> applied, Map<String, Position> before) {
        return StateChanges.of(applied, Event::aggregate, Event::position, before);
    }
}
