package io.hookshard.chaos;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * One provider event as the workload made it: what its body says, and the digest of the body (the first 16 bytes of
 * its SHA-256, in hex; {@link #inboxDigest()} is what the inbox keeps). {@code userId} is the order's owner, also for
 * a chargeback, whose body does not carry it; {@code disputeId} and {@code reason} are null for an order event.
 */
record PlannedEvent(EventKind kind, String providerEventId, String userId, String orderId, String disputeId,
                    String status, long amountMinor, String currency, String reason, String occurredAt, String digest,
                    int bodyLength) {

    EventKey key() {
        return new EventKey(kind, providerEventId);
    }

    /**
     * What {@code inbox.digest} holds for this event: not the body's digest, but that of the fields Hookshard applies,
     * each prefixed with its length, the instant printed as UTC (a retry in other whitespace or key order is the
     * same event). ChaosDigestTest pins this to the service's own decoder.
     */
    String inboxDigest() {
        String at = OffsetDateTime.parse(occurredAt).toInstant().toString();
        List<String> fields = kind == EventKind.ORDER
                ? List.of(providerEventId, userId, orderId, status, Long.toString(amountMinor), currency, at)
                : List.of(providerEventId, orderId, disputeId, status, reason, Long.toString(amountMinor), currency,
                at);
        StringBuilder content = new StringBuilder();
        for (String field : fields) {
            content.append(field.length()).append(':').append(field);
        }
        return Bodies.digest(content.toString().getBytes(StandardCharsets.UTF_8));
    }
}
