package io.hookshard.db;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/** What a shard made of one event of a batch. */
public enum WriteVerdict {
    /** Admitted and applied. */
    NEW,
    /** Admitted before, with the same content: nothing to do. */
    DUPLICATE,
    /** Admitted before with other content under the same provider event id: never applied, never dropped silently. */
    CONFLICTING,
    /** A chargeback whose order is not stored on its owner's shard (yet). */
    ORDER_MISSING,
    /** The shard does not own the event's bucket (a move froze it, or it moved away): retried on the map in force. */
    NOT_OWNED;

    /**
     * Writes the items whose bucket the shard owns with {@code write} and gives the others NOT_OWNED, keeping the
     * verdicts in input order.
     */
    static <T> List<WriteVerdict> fenced(Set<Integer> notOwned, List<Routed<T>> items,
                                         Function<List<Routed<T>>, List<WriteVerdict>> write) {
        if (notOwned.isEmpty()) {
            return write.apply(items);
        }
        List<Routed<T>> owned = items.stream().filter(item -> !notOwned.contains(item.bucket())).toList();
        List<WriteVerdict> written = owned.isEmpty() ? List.of() : write.apply(owned);
        List<WriteVerdict> verdicts = new ArrayList<>(items.size());
        int next = 0;
        for (Routed<T> item : items) {
            verdicts.add(notOwned.contains(item.bucket()) ? NOT_OWNED : written.get(next++));
        }
        return verdicts;
    }
}
