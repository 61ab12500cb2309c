package io.hookshard.db;

/** What a shard made of one event of a batch. */
public enum WriteVerdict {
    /** Admitted and applied. */
    NEW,
    /** Admitted before, with the same content: nothing to do. */
    DUPLICATE,
    /** Admitted before with other content under the same provider event id: never applied, never dropped silently. */
    CONFLICTING,
    /** A chargeback whose order is not stored on its owner's shard (yet). */
    ORDER_MISSING
}
