package io.hookshard.chaos;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;

/**
 * The README's ordering rule, independent of the service: an order's (or dispute's) state is its newest event by
 * occurred_at (to the microsecond, as PostgreSQL keeps it), ties broken by lifecycle rank, then by provider_event_id
 * in byte order (UTF-8, unsigned; the same as code-point order).
 */
final class Model {
    static final Comparator<PlannedEvent> OLDEST_FIRST = Comparator
            .comparing((PlannedEvent event) -> instant(event.occurredAt()))
            .thenComparingInt(event -> Lifecycle.rank(event.kind(), event.status()))
            .thenComparing(PlannedEvent::providerEventId, Model::compareUtf8);

    private Model() {
    }

    /** The event whose state the row must hold. */
    static PlannedEvent newest(Collection<PlannedEvent> events) {
        return events.stream().max(OLDEST_FIRST).orElseThrow();
    }

    /** An RFC 3339 timestamp as stored: truncated to microseconds. */
    static Instant instant(String occurredAt) {
        return OffsetDateTime.parse(occurredAt).toInstant().truncatedTo(ChronoUnit.MICROS);
    }

    static int compareUtf8(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
