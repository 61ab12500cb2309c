package io.hookshard.db;

import io.hookshard.outbox.OutboxEvent;
import org.jdbi.v3.core.Handle;

import java.util.List;

/**
 * Writes downstream events into the shard's outbox, inside the transaction of the state changes they announce: the
 * events exist if and only if the changes committed. Rows get their seq (the relay's order) in the order given.
 */
final class OutboxDao {
    private OutboxDao() {
    }

    static void append(Handle handle, List<OutboxEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        CopyRows rows = new CopyRows(events.size());
        for (OutboxEvent event : events) {
            rows.text(event.id().toString()).text(event.aggregateType()).text(event.aggregateId()).text(event.type())
                    .text(event.payload()).number(event.bucket())
                    .endRow();
        }
        rows.copyInto(handle, "outbox", "id, aggregatetype, aggregateid, type, payload, bucket");
    }
}
