package io.hookshard.core;

import java.time.Instant;
import java.util.UUID;

/**
 * A validated chargeback event. Its owner (user_id) is not in the payload: it is looked up by order_id.
 * {@code payloadJson} is stored, {@code content} compared across redeliveries (see {@link OrderEvent}).
 */
public record ChargebackEvent(UUID eventId, String providerEventId, String orderId, String disputeId,
                              DisputeStatus status, String reason, long amountMinor, String currency,
                              Instant occurredAt, Instant receivedAt, String payloadJson, String content) {

    public ChargebackEvent(UUID eventId, String providerEventId, String orderId, String disputeId,
                           DisputeStatus status, String reason, long amountMinor, String currency,
                           Instant occurredAt, Instant receivedAt, String payloadJson) {
        this(eventId, providerEventId, orderId, disputeId, status, reason, amountMinor, currency, occurredAt,
                receivedAt, payloadJson, payloadJson);
    }
}
