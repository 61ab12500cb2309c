package io.hookshard.chaos;

import java.time.Instant;

/** Rows as the checker reads them from the shards and the dead-letter topics. */
final class Stored {
    private Stored() {
    }

    /** An {@code order_events} or {@code dispute_events} row; {@code disputeId} and {@code reason} null for orders. */
    record Event(String shard, EventKind kind, String providerEventId, String userId, String orderId, String disputeId,
                 String status, long amountMinor, String currency, String reason, Instant occurredAt) {
    }

    /**
     * An {@code orders} or {@code disputes} row: {@code id} is the order id or the dispute id; {@code reason} null for
     * orders.
     */
    record State(String shard, EventKind kind, String id, String userId, String orderId, String status,
                 long amountMinor, String currency, String reason, Instant lastEventAt, String lastProviderEventId) {
    }

    /**
     * A record of the downstream events topic, as a consumer of it sees one change: {@code disputeId} null for an
     * order's change, {@code previousStatus} null for a new order or dispute.
     */
    record Published(int partition, long offset, String id, String orderId, String disputeId, String status,
                     String previousStatus, String providerEventId) {
    }

    /** A record of a dead-letter topic, by the coordinates of the record it stands for. */
    record DeadLetter(String originalTopic, int originalPartition, long originalOffset, String reason,
                      String valueDigest) {
    }
}
