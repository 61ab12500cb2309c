package io.hookshard.db;

import io.hookshard.core.EventType;
import org.jdbi.v3.core.Handle;

import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * The per-shard inbox: admits each (event type, provider event id) once. Callers write the inbox, the event row and
 * the state change in one transaction, so a redelivery, whatever its occurred_at, changes nothing.
 */
final class InboxDao {
    private InboxDao() {
    }

    record Entry(String providerEventId, UUID eventId) {
    }

    /**
     * Admits {@code items} into the inbox and returns those that were new on this shard: the first copy of each
     * provider event id, in input order. Everything else in the batch is a redelivery.
     */
    static <T> List<T> admitNew(Handle handle, EventType type, Collection<T> items, Function<T, String> providerEventId,
                                Function<T, UUID> eventId) {
        Map<String, T> first = new LinkedHashMap<>();
        items.forEach(item -> first.putIfAbsent(providerEventId.apply(item), item));
        Set<String> admitted = admit(handle, type, first.values().stream()
                .map(item -> new Entry(providerEventId.apply(item), eventId.apply(item))).toList());
        return first.values().stream().filter(item -> admitted.contains(providerEventId.apply(item))).toList();
    }

    /** Inserts the entries that are new and returns their provider event ids. */
    static Set<String> admit(Handle handle, EventType type, Collection<Entry> entries) {
        // Sorted, so that concurrent transactions lock inbox keys in the same order and cannot deadlock.
        List<Entry> sorted = entries.stream()
                .sorted(java.util.Comparator.comparing(Entry::providerEventId)).toList();
        List<String> admitted = handle.createQuery("""
                        INSERT INTO inbox (event_type, provider_event_id, event_id)
                        SELECT :type, provider_event_id, event_id
                        FROM unnest(:providerEventIds::text[], :eventIds::uuid[]) AS t(provider_event_id, event_id)
                        ON CONFLICT DO NOTHING
                        RETURNING provider_event_id""")
                .bind("type", type.wireName())
                .bind("providerEventIds", Sql.texts(sorted, Entry::providerEventId))
                .bind("eventIds", Sql.texts(sorted, entry -> entry.eventId().toString()))
                .mapTo(String.class)
                .list();
        return new HashSet<>(admitted);
    }
}
