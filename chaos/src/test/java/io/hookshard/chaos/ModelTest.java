package io.hookshard.chaos;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ModelTest {
    @Test
    void instantsThatDifferBelowAMicrosecondTieAndTheRankDecides() {
        PlannedEvent paid = event("evt-a", "paid", "2026-03-01T10:00:00.0000019Z");
        PlannedEvent authorized = event("evt-b", "authorized", "2026-03-01T10:00:00.0000011Z");

        assertThat(Model.newest(List.of(paid, authorized))).isEqualTo(paid);
    }

    @Test
    void anEarlierInstantLosesWhateverItsRank() {
        PlannedEvent canceled = event("evt-z", "canceled", "2026-03-01T09:59:59.999999Z");
        PlannedEvent created = event("evt-a", "created", "2026-03-01T10:00:00Z");

        assertThat(Model.newest(List.of(canceled, created))).isEqualTo(created);
    }

    @Test
    void idsCompareByUtf8BytesWhichIsCodePointOrderNotUtf16Order() {
        // U+1F600 is above U+FE4F as a code point (and in UTF-8), below it as UTF-16 (a surrogate, 0xD83D).
        String emoji = "evt-\uD83D\uDE00";
        String cjkSymbol = "evt-\uFE4F";
        assertThat(emoji.compareTo(cjkSymbol)).isNegative();
        assertThat(Model.compareUtf8(emoji, cjkSymbol)).isPositive();

        PlannedEvent first = event(emoji, "paid", "2026-03-01T10:00:00Z");
        PlannedEvent second = event(cjkSymbol, "paid", "2026-03-01T11:00:00+01:00");
        assertThat(Model.newest(List.of(first, second))).isEqualTo(first);
    }

    private static PlannedEvent event(String id, String status, String occurredAt) {
        return new PlannedEvent(EventKind.ORDER, id, "usr-1", "ord-1", null, status, 1, "EUR", null, occurredAt,
                "digest", 200);
    }
}
