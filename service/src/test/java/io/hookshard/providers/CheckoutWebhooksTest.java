package io.hookshard.providers;

import io.hookshard.core.Envelope;
import io.hookshard.core.EventType;
import io.hookshard.support.ProviderFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.function.UnaryOperator;

import static io.hookshard.providers.Intakes.refused;
import static io.hookshard.providers.Intakes.settings;
import static io.hookshard.providers.Intakes.tree;
import static org.assertj.core.api.Assertions.assertThat;

class CheckoutWebhooksTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-20T10:00:00Z"), ZoneOffset.UTC);
    private static final String SECRET = ProviderFixtures.CHECKOUT_SECRET;

    private static final String VECTOR_BODY = "{\"id\":\"evt_az5sblvku4ge3dwpztvyizgcau\",\"type\":\"payment_captured\","
            + "\"created_on\":\"2026-11-20T10:00:00Z\",\"data\":{\"id\":\"pay_mbabizu24mvu3mela5njyhpit4\","
            + "\"amount\":1999,\"currency\":\"EUR\",\"reference\":\"order-1001\",\"metadata\":{\"user_id\":\"user-42\"}}}";
    /**
     * Computed apart from the code, as Checkout.com documents Cko-Signature (hex HMAC-SHA256 of the raw body, keyed
     * with the secret key): printf '%s' "$VECTOR_BODY" | openssl dgst -sha256 -hmac "$SECRET"; python's hmac agrees.
     */
    private static final String VECTOR_SIGNATURE = "9a9fca82e28b3b12ed5fa097d1daff7954d0ac464e970a5f6fc1062c85baa8f7";

    private final ProviderIntake intake = Intakes.of(new CheckoutAdapter(settings(SECRET, CLOCK)), CLOCK);
    private final ProviderAdapter checkout = intake.adapter("checkout").orElseThrow();

    @Test
    void acceptsTheSignatureCheckoutGivesAndNothingElse() throws Exception {
        byte[] body = VECTOR_BODY.getBytes(StandardCharsets.UTF_8);

        Envelope envelope = intake.admit(checkout, headers(VECTOR_SIGNATURE), body).envelopes().get(0);

        assertThat(tree(envelope.payload())).isEqualTo(tree("""
                {"provider_event_id":"checkout:evt_az5sblvku4ge3dwpztvyizgcau","user_id":"user-42","order_id":"order-1001",
                 "status":"paid","amount_minor":1999,"currency":"EUR","occurred_at":"2026-11-20T10:00:00Z"}"""));
        assertThat(CheckoutAdapter.signature(SECRET, body)).isEqualTo(VECTOR_SIGNATURE);
        refused(() -> intake.admit(checkout, headers(VECTOR_SIGNATURE.toUpperCase()), VECTOR_BODY.replace("1999", "1")
                .getBytes(StandardCharsets.UTF_8)), 401, "signature_mismatch");
        refused(() -> intake.admit(checkout, headers("not hex"), body), 401, "malformed_signature");
        refused(() -> intake.admit(checkout, name -> null, body), 401, "missing_signature_headers");
        ProviderIntake closed = Intakes.of(new CheckoutAdapter(settings("", CLOCK)), CLOCK);
        refused(() -> closed.admit(closed.adapter("checkout").orElseThrow(), headers(VECTOR_SIGNATURE), body), 401,
                "no_secret_configured");
    }

    @ParameterizedTest
    @CsvSource({
            "payment_approved,         authorized",
            "payment_captured,         paid",
            "payment_declined,         failed",
            "payment_capture_declined, failed",
            "payment_refunded,         refunded",
            "payment_voided,           canceled",
            "payment_canceled,         canceled"})
    void mapsEveryPaymentEventToAnOrderEvent(String type, String status) throws Exception {
        String body = ProviderFixtures.load("checkout/payment.json", Map.of("event_id", "evt_" + type, "type", type,
                "order_id", "order-1001", "user_id", "user-42"));

        Envelope envelope = single(body);

        assertThat(envelope.type()).isEqualTo(EventType.ORDER_PAYMENT);
        assertThat(envelope.key()).isEqualTo("user-42");
        assertThat(tree(envelope.payload()).get("status").asText()).isEqualTo(status);
        assertThat(envelope.providerPayload()).isEqualTo(body);
        assertThat(envelope.mapping()).isEqualTo("checkout@2");
    }

    @ParameterizedTest
    @CsvSource({
            "dispute_received,           opened",
            "dispute_evidence_required,  opened",
            "dispute_evidence_submitted, under_review",
            "dispute_won,                won",
            "dispute_lost,               lost",
            "dispute_accepted,           lost",
            "dispute_expired,            lost",
            "dispute_resolved,           closed",
            "dispute_canceled,           closed"})
    void mapsEveryDisputeEventToAChargeback(String type, String status) throws Exception {
        String body = ProviderFixtures.load("checkout/dispute.json", Map.of("event_id", "evt_" + type, "type", type,
                "order_id", "order-1001", "dispute_id", "dsp_rbhwd2qrg13uhrp2newf"));

        Envelope envelope = single(body);

        assertThat(envelope.type()).isEqualTo(EventType.CHARGEBACK);
        assertThat(tree(envelope.payload())).isEqualTo(tree("""
                {"provider_event_id":"checkout:evt_%s","order_id":"order-1001","dispute_id":"dsp_rbhwd2qrg13uhrp2newf",
                 "status":"%s","reason":"fraudulent","amount_minor":1999,"currency":"EUR",
                 "occurred_at":"2026-11-22T10:00:00Z"}""".formatted(type, status)));
    }

    @Test
    void anEventTypeNotMappedIsAcknowledgedNotRefused() throws Exception {
        String body = ProviderFixtures.load("checkout/payment.json", Map.of("event_id", "evt_1", "type",
                "card_verified", "order_id", "order-1001", "user_id", "user-42"));

        ProviderIntake.Admitted admitted = intake.admit(checkout, signed(body), body.getBytes(StandardCharsets.UTF_8));

        assertThat(admitted.envelopes()).isEmpty();
        assertThat(admitted.unmappedTypes()).containsExactly("card_verified");
    }

    private Envelope single(String body) throws Exception {
        ProviderIntake.Admitted admitted = intake.admit(checkout, signed(body), body.getBytes(StandardCharsets.UTF_8));
        assertThat(admitted.envelopes()).hasSize(1);
        return admitted.envelopes().get(0);
    }

    private static UnaryOperator<String> signed(String body) {
        return headers(CheckoutAdapter.signature(SECRET, body.getBytes(StandardCharsets.UTF_8)));
    }

    private static UnaryOperator<String> headers(String signature) {
        return name -> name.equalsIgnoreCase("Cko-Signature") ? signature : null;
    }
}
