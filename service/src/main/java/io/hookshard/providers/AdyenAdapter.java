package io.hookshard.providers;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookshard.core.DisputeStatus;
import io.hookshard.core.OrderStatus;
import io.hookshard.security.SignatureException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

import static java.util.Map.entry;

/**
 * Adyen's notifications: a batch of {@code notificationItems}, each signed on its own with
 * {@code additionalData.hmacSignature}, the base64 HMAC-SHA256 (keyed with the hex HMAC key) of pspReference,
 * originalReference, merchantAccountCode, merchantReference, amount value, amount currency, eventCode and success,
 * joined by colons, absent ones empty. Each item is one event, its id {@code eventCode:pspReference}; Adyen expects
 * {@code [accepted]} once all of them are stored.
 *
 * <p>Payments are keyed by {@code eventCode} and {@code success}: a failed modification leaves the payment where it
 * was (a refused refund: still paid; a refused cancellation: still authorised), except a failed capture, which is a
 * payment that did not happen. A CHARGEBACK is a dispute opened on the payment.
 */
public final class AdyenAdapter implements ProviderAdapter {
    public static final String NAME = "adyen";

    private static final Map<String, OrderStatus> PAYMENTS = Map.ofEntries(
            entry("AUTHORISATION:true", OrderStatus.AUTHORIZED),
            entry("AUTHORISATION:false", OrderStatus.FAILED),
            entry("CAPTURE:true", OrderStatus.PAID),
            entry("CAPTURE:false", OrderStatus.FAILED),
            entry("REFUND:true", OrderStatus.REFUNDED),
            entry("REFUND:false", OrderStatus.PAID),
            entry("CANCELLATION:true", OrderStatus.CANCELED),
            entry("CANCELLATION:false", OrderStatus.AUTHORIZED));
    private static final Map<String, DisputeStatus> DISPUTES = Map.of("CHARGEBACK:true", DisputeStatus.OPENED);
    private static final List<String> SIGNED_FIELDS = List.of("/pspReference", "/originalReference",
            "/merchantAccountCode", "/merchantReference", "/amount/value", "/amount/currency", "/eventCode",
            "/success");

    private final List<byte[]> keys;
    private final String userId;
    private final String orderId;
    private final String disputeOrderId;

    public AdyenAdapter(ProviderSettings settings) {
        this.keys = hexKeys(settings.secretList());
        this.userId = settings.userIdOr("/additionalData/shopperReference");
        this.orderId = settings.orderIdOr("/merchantReference");
        this.disputeOrderId = settings.disputeOrderIdOr("/merchantReference");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String mapping() {
        return "adyen@2";
    }

    @Override
    public void verify(UnaryOperator<String> headers, byte[] body) throws SignatureException {
        // The items are signed, not the request; without a key, nothing is even parsed.
        if (keys.isEmpty()) {
            throw new SignatureException("no_secret_configured",
                    "no Adyen HMAC key is configured, so no notification can be trusted");
        }
    }

    @Override
    public List<String> events(JsonNode body) throws MappingException {
        JsonNode items = body.path("notificationItems");
        // Adyen never posts an empty batch; answering one [accepted] would acknowledge a request nobody signed.
        if (!items.isArray() || items.isEmpty()) {
            throw new MappingException("/notificationItems", "must be an array of notification items, not empty");
        }
        List<String> pointers = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            if (!items.get(i).path("NotificationRequestItem").isObject()) {
                throw new MappingException("/notificationItems/" + i + "/NotificationRequestItem",
                        "must be a notification item object");
            }
            pointers.add("/notificationItems/" + i + "/NotificationRequestItem");
        }
        return pointers;
    }

    @Override
    public void verifyEvent(JsonNode item) throws SignatureException {
        JsonNode signature = item.at("/additionalData/hmacSignature");
        if (!signature.isTextual() || signature.asText().isBlank()) {
            throw new SignatureException("missing_signature", "the item has no additionalData.hmacSignature");
        }
        byte[] offered;
        try {
            offered = Base64.getDecoder().decode(signature.asText().trim());
        } catch (IllegalArgumentException e) {
            throw new SignatureException("malformed_signature", "additionalData.hmacSignature is not base64");
        }
        if (!Hmac.matchesAny(keys, signedData(item), offered)) {
            throw new SignatureException("signature_mismatch", "additionalData.hmacSignature does not match the item");
        }
    }

    /** The {@code additionalData.hmacSignature} Adyen would send for {@code item}, keyed with a hex HMAC key. */
    public static String signature(String hexKey, JsonNode item) {
        return Base64.getEncoder().encodeToString(Hmac.sha256(HexFormat.of().parseHex(hexKey), signedData(item)));
    }

    /** The colon-joined fields the signature covers, in Adyen's order; an absent field is empty. */
    static byte[] signedData(JsonNode item) {
        List<String> values = new ArrayList<>(SIGNED_FIELDS.size());
        for (String pointer : SIGNED_FIELDS) {
            JsonNode value = item.at(pointer);
            values.add(value.isValueNode() && !value.isNull() ? value.asText() : "");
        }
        return String.join(":", values).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Optional<MappedEvent> map(JsonNode item) throws MappingException {
        String eventCode = eventType(item);
        if (eventCode == null) {
            throw new MappingException("/eventCode", "is missing: an Adyen notification names its event code");
        }
        String success = item.path("success").asText();
        if (!success.equals("true") && !success.equals("false")) {
            throw new MappingException("/success", "must be \"true\" or \"false\"");
        }
        OrderStatus payment = PAYMENTS.get(eventCode + ":" + success);
        if (payment != null) {
            return Optional.of(MappedEvent.order(item)
                    .joined("provider_event_id", ":", "/eventCode", "/pspReference")
                    .text("user_id", userId)
                    .text("order_id", orderId)
                    .value("status", payment.wireName(), "/eventCode")
                    .integer("amount_minor", "/amount/value")
                    .currency("currency", "/amount/currency")
                    .text("occurred_at", "/eventDate"));
        }
        DisputeStatus dispute = DISPUTES.get(eventCode + ":" + success);
        if (dispute != null) {
            return Optional.of(MappedEvent.chargeback(item)
                    .joined("provider_event_id", ":", "/eventCode", "/pspReference")
                    .text("order_id", disputeOrderId)
                    .text("dispute_id", "/pspReference")
                    .value("status", dispute.wireName(), "/eventCode")
                    .text("reason", "/reason")
                    .integer("amount_minor", "/amount/value")
                    .currency("currency", "/amount/currency")
                    .text("occurred_at", "/eventDate"));
        }
        return Optional.empty();
    }

    @Override
    public String eventType(JsonNode item) {
        JsonNode eventCode = item.path("eventCode");
        return eventCode.isTextual() ? eventCode.asText() : null;
    }

    @Override
    public Optional<String> acknowledgement() {
        return Optional.of("[accepted]");
    }

    private static List<byte[]> hexKeys(List<String> configured) {
        List<byte[]> keys = new ArrayList<>();
        for (int i = 0; i < configured.size(); i++) {
            try {
                byte[] key = HexFormat.of().parseHex(configured.get(i));
                if (key.length < 16) {
                    throw new IllegalArgumentException("short");
                }
                keys.add(key);
            } catch (IllegalArgumentException e) {
                // The position, never the value: keys must not reach logs.
                throw new IllegalArgumentException("Adyen HMAC key #" + (i + 1)
                        + " is not a hex key of at least 16 bytes");
            }
        }
        return List.copyOf(keys);
    }
}
