package io.hookshard.db;

import org.jdbi.v3.core.Handle;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Which events of a batch change their order's (or dispute's) state: those a shard applying the batch's events one by
 * one, in the order given, would have moved the state forward with. An event changes the state when it is newer
 * (occurred_at, then rank, then provider event id in code point order: what the upserts compare) than the state
 * before it, which is the stored state or the batch's previous change of the same aggregate. A late event changes
 * nothing. So the changes do not depend on how events fell into batches, only on the order they were applied in, and
 * each aggregate's changes are strictly newer one after the other.
 */
final class StateChanges {
    /** Where an aggregate's state stands: the event that set it. */
    record Position(Instant occurredAt, int rank, String providerEventId, String status) {
        static final Comparator<Position> ORDER = Comparator.comparing(Position::occurredAt)
                .thenComparingInt(Position::rank)
                .thenComparing(Position::providerEventId, CollationC.ORDER);
    }

    /** An event that changed its aggregate's state, and the status before it (null: the aggregate is new). */
    record Change<E>(E event, String previousStatus) {
    }

    private StateChanges() {
    }

    /**
     * The positions of the rows of {@code table} keyed {@code key} in {@code ids}, locked FOR UPDATE until the
     * transaction ends, so that what the batch's upsert then compares against is what was read. Rows are locked in
     * one order (COLLATE "C") by every writer. Absent rows are absent from the result.
     */
    static Map<String, Position> lock(Handle handle, String table, String key, String[] ids) {
        Map<String, Position> positions = new HashMap<>();
        handle.createQuery("SELECT " + key + ", last_event_at, status_rank, last_provider_event_id, status FROM "
                        + table + " WHERE " + key + " = ANY(:ids::text[]) ORDER BY " + key + " COLLATE \"C\""
                        + " FOR UPDATE")
                .bind("ids", ids)
                .map((rs, ctx) -> Map.entry(rs.getString(1), new Position(
                        rs.getObject(2, OffsetDateTime.class).toInstant(), rs.getInt(3), rs.getString(4),
                        rs.getString(5))))
                .forEach(entry -> positions.put(entry.getKey(), entry.getValue()));
        return positions;
    }

    /**
     * @param applied events admitted as new, in the order they are applied
     * @param before  the stored position of each aggregate that existed before the batch, read under its row lock
     */
    static <E> List<Change<E>> of(List<E> applied, Function<E, String> aggregate, Function<E, Position> position,
                                  Map<String, Position> before) {
        Map<String, Position> current = new HashMap<>(before);
        List<Change<E>> changes = new ArrayList<>();
        for (E event : applied) {
            Position next = position.apply(event);
            Position was = current.get(aggregate.apply(event));
            if (was == null || Position.ORDER.compare(next, was) > 0) {
                changes.add(new Change<>(event, was == null ? null : was.status()));
                current.put(aggregate.apply(event), next);
            }
        }
        return changes;
    }
}
