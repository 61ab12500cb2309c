package io.hookshard.providers;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookshard.core.DisputeStatus;
import io.hookshard.core.OrderStatus;
import io.hookshard.security.SignatureException;
import io.hookshard.security.StripeSignatureVerifier;
import io.hookshard.security.WebhookSecrets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

import static java.util.Map.entry;

/**
 * Stripe's event objects, one per request, signed with {@code Stripe-Signature} (t= and v1=, keyed with the whole
 * {@code whsec_} secret). The event's {@code id} is the provider event id and its {@code created} the occurred_at.
 * Payment events of charges and payment intents are order events; {@code charge.dispute.*} are chargebacks with the
 * dispute's status. The user and order ids come from configured pointers, by default the object's metadata.
 */
public final class StripeAdapter implements ProviderAdapter {
    public static final String NAME = "stripe";
    private static final Logger LOG = LoggerFactory.getLogger(StripeAdapter.class);

    private static final Map<String, OrderStatus> PAYMENTS = Map.of(
            "charge.succeeded", OrderStatus.PAID,
            "charge.failed", OrderStatus.FAILED,
            "charge.refunded", OrderStatus.REFUNDED,
            "payment_intent.succeeded", OrderStatus.PAID,
            "payment_intent.payment_failed", OrderStatus.FAILED,
            "payment_intent.canceled", OrderStatus.CANCELED);
    private static final Set<String> DISPUTES = Set.of("charge.dispute.created", "charge.dispute.updated",
            "charge.dispute.closed");
    /** A dispute's status on Stripe -> Hookshard's; the warning_ ones are inquiries, handled alike. */
    private static final Map<String, DisputeStatus> DISPUTE_STATUSES = Map.ofEntries(
            entry("warning_needs_response", DisputeStatus.OPENED),
            entry("needs_response", DisputeStatus.OPENED),
            entry("warning_under_review", DisputeStatus.UNDER_REVIEW),
            entry("under_review", DisputeStatus.UNDER_REVIEW),
            entry("won", DisputeStatus.WON),
            entry("lost", DisputeStatus.LOST),
            entry("warning_closed", DisputeStatus.CLOSED),
            entry("charge_refunded", DisputeStatus.CLOSED),
            entry("prevented", DisputeStatus.CLOSED));

    private final StripeSignatureVerifier verifier;
    private final String userId;
    private final String orderId;
    private final String disputeOrderId;

    public StripeAdapter(ProviderSettings settings) {
        this.verifier = new StripeSignatureVerifier(WebhookSecrets.parse(settings.secrets()),
                settings.timestampTolerance(), settings.clock());
        this.userId = settings.userIdOr("/data/object/metadata/user_id");
        this.orderId = settings.orderIdOr("/data/object/metadata/order_id");
        this.disputeOrderId = settings.disputeOrderIdOr("/data/object/metadata/order_id");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String mapping() {
        return "stripe@2";
    }

    @Override
    public void verify(UnaryOperator<String> headers, byte[] body) throws SignatureException {
        verifier.verify(headers, body);
    }

    @Override
    public List<String> events(JsonNode body) {
        return List.of("");
    }

    @Override
    public Optional<MappedEvent> map(JsonNode event) throws MappingException {
        String type = eventType(event);
        if (type == null) {
            throw new MappingException("/type", "is missing: a Stripe event names its type");
        }
        OrderStatus payment = PAYMENTS.get(type);
        if (payment != null) {
            // A refund event's amount is what was refunded; every other event's the amount charged or intended.
            String amount = type.equals("charge.refunded") ? "/data/object/amount_refunded" : "/data/object/amount";
            return Optional.of(MappedEvent.order(event)
                    .text("provider_event_id", "/id")
                    .text("user_id", userId)
                    .text("order_id", orderId)
                    .value("status", payment.wireName(), "/type")
                    .integer("amount_minor", amount)
                    .currency("currency", "/data/object/currency")
                    .epochSeconds("occurred_at", "/created"));
        }
        if (!DISPUTES.contains(type)) {
            return Optional.empty();
        }
        JsonNode stripeStatus = event.at("/data/object/status");
        if (!stripeStatus.isTextual()) {
            // Only a text can be a status newer than this mapping; null or an object is a malformed event.
            throw new MappingException("/data/object/status", stripeStatus.isMissingNode()
                    ? "is missing: a dispute has a status" : "must be a string: a dispute's status");
        }
        DisputeStatus status = DISPUTE_STATUSES.get(stripeStatus.asText());
        if (status == null) {
            // A status newer than this mapping: acknowledged and counted as unmapped, never refused.
            LOG.warn("stripe event {} ({}) has dispute status {}, which the mapping {} does not know; not stored",
                    event.path("id").asText(), type, stripeStatus.asText(), mapping());
            return Optional.empty();
        }
        return Optional.of(MappedEvent.chargeback(event)
                .text("provider_event_id", "/id")
                .text("order_id", disputeOrderId)
                .text("dispute_id", "/data/object/id")
                .value("status", status.wireName(), "/data/object/status")
                .text("reason", "/data/object/reason")
                .integer("amount_minor", "/data/object/amount")
                .currency("currency", "/data/object/currency")
                .epochSeconds("occurred_at", "/created"));
    }

    @Override
    public String eventType(JsonNode event) {
        JsonNode type = event.path("type");
        return type.isTextual() ? type.asText() : null;
    }
}
