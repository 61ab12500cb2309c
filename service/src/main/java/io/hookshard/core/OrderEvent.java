package io.hookshard.core;

import java.time.Instant;
import java.util.UUID;

/** A validated order payment event, ready to be written. */
public record OrderEvent(UUID eventId, String providerEventId, String userId, String orderId, OrderStatus status,
                         long amountMinor, String currency, Instant occurredAt, Instant receivedAt, String payloadJson) {
}
