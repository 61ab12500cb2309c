package io.hookshard.chaos;

/**
 * One provider event as the workload made it: what its body says, and the digest of the body (the first 16 bytes of
 * its SHA-256, in hex, as the inbox keeps it). {@code userId} is the order's owner, also for a chargeback, whose
 * body does not carry it; {@code disputeId} and {@code reason} are null for an order event.
 */
record PlannedEvent(EventKind kind, String providerEventId, String userId, String orderId, String disputeId,
                    String status, long amountMinor, String currency, String reason, String occurredAt, String digest,
                    int bodyLength) {

    EventKey key() {
        return new EventKey(kind, providerEventId);
    }
}
