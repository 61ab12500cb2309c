package io.hookshard.db;

import io.hookshard.core.EventType;
import org.jdbi.v3.core.Handle;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * The per-shard inbox: admits each (event type, provider event id) once, with a digest of what the event said.
 * Callers write the inbox, the event row and the state change in one transaction, so a redelivery, whatever its
 * occurred_at, changes nothing; one that says something else is a conflict.
 */
final class InboxDao {
    private static final int DIGEST_BYTES = 16;

    private InboxDao() {
    }

    /** How one event of a batch is to be written. */
    record Item<T>(T event, String providerEventId, UUID eventId, byte[] digest, int bucket) {
    }

    static <T> List<Item<T>> items(List<Routed<T>> events, Function<T, String> providerEventId,
                                   Function<T, UUID> eventId, Function<T, String> payload) {
        return events.stream().map(routed -> new Item<>(routed.item(), providerEventId.apply(routed.item()),
                eventId.apply(routed.item()), digest(payload.apply(routed.item())), routed.bucket())).toList();
    }

    /**
     * Admits {@code items} and gives each its verdict, in input order: NEW for the first copy of a provider event not
     * admitted before; DUPLICATE for a copy of what was admitted (before, or earlier in this batch); CONFLICTING for
     * a copy whose content differs from what was admitted.
     */
    static <T> List<WriteVerdict> admit(Handle handle, EventType type, List<Item<T>> items) {
        Map<String, Item<T>> first = new HashMap<>();
        items.forEach(item -> first.putIfAbsent(item.providerEventId(), item));
        // Sorted, so that concurrent transactions lock inbox keys in the same order and cannot deadlock.
        List<Item<T>> candidates = first.values().stream().sorted(Comparator.comparing(Item::providerEventId))
                .toList();
        Set<String> admitted = new HashSet<>(handle.createQuery("""
                        INSERT INTO inbox (event_type, provider_event_id, event_id, digest, bucket)
                        SELECT :type, provider_event_id, event_id, decode(digest, 'hex'), bucket
                        FROM unnest(:providerEventIds::text[], :eventIds::uuid[], :digests::text[],
                                    :buckets::integer[]) AS t(provider_event_id, event_id, digest, bucket)
                        ON CONFLICT DO NOTHING
                        RETURNING provider_event_id""")
                .bind("type", type.wireName())
                .bind("providerEventIds", Sql.texts(candidates, Item::providerEventId))
                .bind("eventIds", Sql.texts(candidates, item -> item.eventId().toString()))
                .bind("digests", Sql.texts(candidates, item -> java.util.HexFormat.of().formatHex(item.digest())))
                .bind("buckets", Sql.ints(candidates, Item::bucket))
                .mapTo(String.class)
                .list());
        Map<String, byte[]> reference = new HashMap<>();
        first.forEach((id, item) -> reference.put(id, item.digest()));
        reference.putAll(storedDigests(handle, type, candidates.stream().map(Item::providerEventId)
                .filter(id -> !admitted.contains(id)).toList()));
        List<WriteVerdict> verdicts = new ArrayList<>(items.size());
        for (Item<T> item : items) {
            if (first.get(item.providerEventId()) == item && admitted.contains(item.providerEventId())) {
                verdicts.add(WriteVerdict.NEW);
            } else {
                byte[] admittedDigest = reference.get(item.providerEventId());
                verdicts.add(admittedDigest == null || Arrays.equals(admittedDigest, item.digest())
                        ? WriteVerdict.DUPLICATE : WriteVerdict.CONFLICTING);
            }
        }
        return verdicts;
    }

    /** The digests of admitted events; an event admitted before digests were kept maps to null. */
    private static Map<String, byte[]> storedDigests(Handle handle, EventType type, List<String> providerEventIds) {
        Map<String, byte[]> digests = new HashMap<>();
        if (providerEventIds.isEmpty()) {
            return digests;
        }
        handle.createQuery("""
                        SELECT provider_event_id, digest FROM inbox
                        WHERE event_type = :type AND provider_event_id = ANY(:providerEventIds::text[])""")
                .bind("type", type.wireName())
                .bind("providerEventIds", providerEventIds.toArray(String[]::new))
                .map((rs, ctx) -> Map.entry(rs.getString(1), java.util.Optional.ofNullable(rs.getBytes(2))))
                .forEach(entry -> digests.put(entry.getKey(), entry.getValue().orElse(null)));
        return digests;
    }

    static byte[] digest(String payload) {
        try {
            return Arrays.copyOf(MessageDigest.getInstance("SHA-256").digest(payload.getBytes(StandardCharsets.UTF_8)),
                    DIGEST_BYTES);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
