package io.hookshard.providers;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookshard.core.DisputeStatus;
import io.hookshard.core.OrderStatus;
import io.hookshard.security.SignatureException;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

import static java.util.Map.entry;

/**
 * Checkout.com's webhooks, one event per request, signed with {@code Cko-Signature}: the hex HMAC-SHA256 of the raw
 * body, keyed with the webhook's secret key. The event's {@code id} is the provider event id, {@code created_on} the
 * occurred_at; payment events are order events and dispute events chargebacks, with the payment's {@code reference}
 * as the order id by default.
 */
public final class CheckoutAdapter implements ProviderAdapter {
    public static final String NAME = "checkout";
    public static final String HEADER = "Cko-Signature";

    private static final Map<String, OrderStatus> PAYMENTS = Map.ofEntries(
            entry("payment_approved", OrderStatus.AUTHORIZED),
            entry("payment_captured", OrderStatus.PAID),
            entry("payment_declined", OrderStatus.FAILED),
            entry("payment_capture_declined", OrderStatus.FAILED),
            entry("payment_refunded", OrderStatus.REFUNDED),
            entry("payment_voided", OrderStatus.CANCELED),
            entry("payment_canceled", OrderStatus.CANCELED));
    private static final Map<String, DisputeStatus> DISPUTES = Map.ofEntries(
            entry("dispute_received", DisputeStatus.OPENED),
            entry("dispute_evidence_required", DisputeStatus.OPENED),
            entry("dispute_evidence_submitted", DisputeStatus.UNDER_REVIEW),
            entry("dispute_won", DisputeStatus.WON),
            entry("dispute_lost", DisputeStatus.LOST),
            entry("dispute_accepted", DisputeStatus.LOST),
            entry("dispute_expired", DisputeStatus.LOST),
            entry("dispute_resolved", DisputeStatus.CLOSED),
            entry("dispute_canceled", DisputeStatus.CLOSED));

    private final List<byte[]> keys;
    private final String userId;
    private final String orderId;
    private final String disputeOrderId;

    public CheckoutAdapter(ProviderSettings settings) {
        this.keys = settings.secretList().stream().map(key -> key.getBytes(StandardCharsets.UTF_8)).toList();
        this.userId = settings.userIdOr("/data/metadata/user_id");
        this.orderId = settings.orderIdOr("/data/reference");
        this.disputeOrderId = settings.disputeOrderIdOr("/data/payment_reference");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String mapping() {
        return "checkout@2";
    }

    @Override
    public void verify(UnaryOperator<String> headers, byte[] body) throws SignatureException {
        if (keys.isEmpty()) {
            throw new SignatureException("no_secret_configured",
                    "no Checkout.com secret key is configured, so no signature can be trusted");
        }
        String header = headers.apply(HEADER);
        if (header == null || header.isBlank()) {
            throw new SignatureException("missing_signature_headers", "the Cko-Signature header is required");
        }
        byte[] offered;
        try {
            offered = HexFormat.of().parseHex(header.trim());
        } catch (IllegalArgumentException e) {
            throw new SignatureException("malformed_signature", "Cko-Signature must be a hex HMAC-SHA256");
        }
        if (!Hmac.matchesAny(keys, body, offered)) {
            throw new SignatureException("signature_mismatch", "Cko-Signature does not match the body");
        }
    }

    /** The Cko-Signature header Checkout.com would send for {@code body}. */
    public static String signature(String secret, byte[] body) {
        return HexFormat.of().formatHex(Hmac.sha256(secret.getBytes(StandardCharsets.UTF_8), body));
    }

    @Override
    public List<String> events(JsonNode body) {
        return List.of("");
    }

    @Override
    public Optional<MappedEvent> map(JsonNode event) throws MappingException {
        String type = eventType(event);
        if (type == null) {
            throw new MappingException("/type", "is missing: a Checkout.com event names its type");
        }
        OrderStatus payment = PAYMENTS.get(type);
        if (payment != null) {
            return Optional.of(MappedEvent.order(event)
                    .text("provider_event_id", "/id")
                    .text("user_id", userId)
                    .text("order_id", orderId)
                    .value("status", payment.wireName(), "/type")
                    .integer("amount_minor", "/data/amount")
                    .currency("currency", "/data/currency")
                    .text("occurred_at", "/created_on"));
        }
        DisputeStatus dispute = DISPUTES.get(type);
        if (dispute != null) {
            return Optional.of(MappedEvent.chargeback(event)
                    .text("provider_event_id", "/id")
                    .text("order_id", disputeOrderId)
                    .text("dispute_id", "/data/id")
                    .value("status", dispute.wireName(), "/type")
                    .text("reason", "/data/category")
                    .integer("amount_minor", "/data/amount")
                    .currency("currency", "/data/currency")
                    .text("occurred_at", "/created_on"));
        }
        return Optional.empty();
    }

    @Override
    public String eventType(JsonNode event) {
        JsonNode type = event.path("type");
        return type.isTextual() ? type.asText() : null;
    }
}
