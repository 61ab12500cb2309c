package io.hookshard.core;

import java.time.Instant;
import java.util.UUID;

/**
 * A validated order payment event, ready to be written. {@code payloadJson} is the text stored; {@code content} is
 * what the inbox compares when the same provider event arrives again: the payload itself, or for an event a provider
 * posted in its own format, the Hookshard fields mapped from it, since a provider may resend an event with fields of
 * its own changed (Stripe's pending_webhooks) and that is still the same event.
 */
public record OrderEvent(UUID eventId, String providerEventId, String userId, String orderId, OrderStatus status,
                         long amountMinor, String currency, Instant occurredAt, Instant receivedAt, String payloadJson,
                         String content) {

    public OrderEvent(UUID eventId, String providerEventId, String userId, String orderId, OrderStatus status,
                      long amountMinor, String currency, Instant occurredAt, Instant receivedAt, String payloadJson) {
        this(eventId, providerEventId, userId, orderId, status, amountMinor, currency, occurredAt, receivedAt,
                payloadJson, payloadJson);
    }
}
