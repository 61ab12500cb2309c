package io.hookshard.providers;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookshard.core.Envelope;
import io.hookshard.core.EventType;
import io.hookshard.core.Violation;
import io.hookshard.core.WebhookRejection;
import io.hookshard.security.StripeSignatureVerifier;
import io.hookshard.support.MalformedUtf8;
import io.hookshard.support.ProviderFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static io.hookshard.providers.Intakes.refused;
import static io.hookshard.providers.Intakes.settings;
import static io.hookshard.providers.Intakes.tree;
import static org.assertj.core.api.Assertions.assertThat;

class StripeWebhooksTest {
    private static final Instant NOW = Instant.ofEpochSecond(1795168800L);
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final String SECRET = ProviderFixtures.STRIPE_SECRET;
    private static final Map<String, String> IDS = Map.of("event_id", "evt_1QHk2bLkdIwHu7ixAbCdEfGh",
            "user_id", "user-42", "order_id", "order-1001", "dispute_id", "du_1QHk2bLkdIwHu7ix", "status", "won");

    /** A Stripe event signed at 1795168800 with SECRET. */
    private static final String VECTOR_BODY = "{\"id\":\"evt_1QHk2bLkdIwHu7ix\",\"object\":\"event\",\"created\":"
            + "1795168800,\"type\":\"charge.succeeded\",\"data\":{\"object\":{\"id\":\"ch_1\",\"amount\":1999,"
            + "\"currency\":\"eur\",\"metadata\":{\"user_id\":\"user-42\",\"order_id\":\"order-1001\"}}}}";
    /**
     * Computed apart from the code, with Stripe's documented scheme (HMAC-SHA256 of "{t}.{body}" keyed with the whole
     * secret, hex): printf '%s' "1795168800.$VECTOR_BODY" | openssl dgst -sha256 -hmac "$SECRET"
     */
    private static final String VECTOR_SIGNATURE = "t=1795168800,v1="
            + "2e662ff981c612e8483a0ca2607af00fd57916d34513ea989cce802bb39e27da";

    private final ProviderIntake intake = Intakes.of(new StripeAdapter(settings(SECRET, CLOCK)), CLOCK);
    private final ProviderAdapter stripe = intake.adapter("stripe").orElseThrow();

    @Test
    void acceptsTheSignatureStripesSchemeGivesAndNothingElse() throws Exception {
        byte[] body = VECTOR_BODY.getBytes(StandardCharsets.UTF_8);

        assertThat(intake.admit(stripe, headers(VECTOR_SIGNATURE), body).envelopes()).hasSize(1);
        assertThat(StripeSignatureVerifier.header(SECRET, NOW.getEpochSecond(), body)).isEqualTo(VECTOR_SIGNATURE);
        byte[] tampered = VECTOR_BODY.replace("1999", "1") .getBytes(StandardCharsets.UTF_8);
        refused(() -> intake.admit(stripe, headers(VECTOR_SIGNATURE), tampered), 401, "signature_mismatch");
        refused(() -> intake.admit(stripe, headers(VECTOR_SIGNATURE.replace("t=1795168800", "t=1795168801")), body),
                401, "signature_mismatch");
        refused(() -> intake.admit(stripe, name -> null, body), 401, "missing_signature_headers");
        ProviderIntake later = Intakes.of(new StripeAdapter(settings(SECRET, Clock.offset(CLOCK,
                java.time.Duration.ofMinutes(6)))), CLOCK);
        refused(() -> later.admit(later.adapter("stripe").orElseThrow(), headers(VECTOR_SIGNATURE), body), 401,
                "timestamp_out_of_tolerance");
    }

    @Test
    void refusesABodyWhoseTextCannotBeCarriedAsUtf8InsteadOfFailingOnIt() throws Exception {
        // With a byte order mark the event is stored re-serialized, and the escape becomes a lone surrogate character.
        String event = VECTOR_BODY.replace("\"object\":\"event\"", "\"object\":\"event\",\"note\":\"x\\ud800y\"");
        byte[] body = ("\uFEFF" + event).getBytes(StandardCharsets.UTF_8);

        WebhookRejection rejection = refused(() -> intake.admit(stripe, headers(StripeSignatureVerifier.header(SECRET,
                NOW.getEpochSecond(), body)), body), 422, "schema_violation");
        assertThat(rejection.getMessage()).contains("unpaired UTF-16 surrogate");
        byte[] plain = event.getBytes(StandardCharsets.UTF_8);
        assertThat(intake.admit(stripe, headers(StripeSignatureVerifier.header(SECRET, NOW.getEpochSecond(), plain)),
                plain).envelopes()).as("as UTF-8 the escape is kept as sent").hasSize(1);
    }

    @Test
    void withoutASecretNothingIsAccepted() {
        ProviderIntake closed = Intakes.of(new StripeAdapter(settings("", CLOCK)), CLOCK);

        refused(() -> closed.admit(closed.adapter("stripe").orElseThrow(), headers(VECTOR_SIGNATURE),
                VECTOR_BODY.getBytes(StandardCharsets.UTF_8)), 401, "no_secret_configured");
    }

    @ParameterizedTest
    @CsvSource({
            "charge.succeeded,              paid,      1999, 2026-11-20T10:00:00Z",
            "charge.failed,                 failed,    1999, 2026-11-20T10:00:00Z",
            "charge.refunded,               refunded,  1999, 2026-11-21T10:00:00Z",
            "payment_intent.succeeded,      paid,      1999, 2026-11-20T10:00:00Z",
            "payment_intent.payment_failed, failed,    1999, 2026-11-20T10:00:00Z",
            "payment_intent.canceled,       canceled,  1999, 2026-11-21T10:00:00Z"})
    void mapsEveryPaymentEventToAnOrderEvent(String type, String status, long amount, String occurredAt)
            throws Exception {
        String body = ProviderFixtures.load("stripe/" + type + ".json", IDS);

        Envelope envelope = single(body);

        assertThat(envelope.type()).isEqualTo(EventType.ORDER_PAYMENT);
        assertThat(envelope.key()).isEqualTo("user-42");
        assertThat(envelope.eventId()).isEqualTo(Envelope.eventIdOf(EventType.ORDER_PAYMENT,
                "stripe:evt_1QHk2bLkdIwHu7ixAbCdEfGh"));
        assertThat(tree(envelope.payload())).isEqualTo(tree("""
                {"provider_event_id":"stripe:evt_1QHk2bLkdIwHu7ixAbCdEfGh","user_id":"user-42","order_id":"order-1001",
                 "status":"%s","amount_minor":%d,"currency":"EUR","occurred_at":"%s"}""".formatted(status, amount,
                occurredAt)));
        assertThat(envelope.providerPayload()).isEqualTo(body);
        assertThat(envelope.provider()).isEqualTo("stripe");
        assertThat(envelope.mapping()).isEqualTo("stripe@2");
        assertThat(envelope.schema()).isEqualTo(Intakes.SCHEMAS.version(EventType.ORDER_PAYMENT));
    }

    @ParameterizedTest
    @CsvSource({
            "charge.dispute.created, needs_response, opened,       2026-11-21T10:00:00Z",
            "charge.dispute.updated, under_review,   under_review, 2026-11-22T10:00:00Z",
            "charge.dispute.closed,  won,            won,          2026-12-22T10:00:00Z",
            "charge.dispute.closed,  lost,           lost,         2026-12-22T10:00:00Z",
            "charge.dispute.closed,  warning_closed, closed,       2026-12-22T10:00:00Z"})
    void mapsEveryDisputeEventToAChargebackWithItsStatus(String type, String stripeStatus, String status,
                                                         String occurredAt) throws Exception {
        Map<String, String> ids = new java.util.HashMap<>(IDS);
        ids.put("status", stripeStatus);
        String body = ProviderFixtures.load("stripe/" + type + ".json", ids);

        Envelope envelope = single(body);

        assertThat(envelope.type()).isEqualTo(EventType.CHARGEBACK);
        assertThat(envelope.key()).isEqualTo("order-1001");
        assertThat(tree(envelope.payload())).isEqualTo(tree("""
                {"provider_event_id":"stripe:evt_1QHk2bLkdIwHu7ixAbCdEfGh","order_id":"order-1001",
                 "dispute_id":"du_1QHk2bLkdIwHu7ix","status":"%s","reason":"fraudulent","amount_minor":1999,
                 "currency":"EUR","occurred_at":"%s"}""".formatted(status, occurredAt)));
        assertThat(envelope.providerPayload()).isEqualTo(body);
    }

    @Test
    void anEventTypeNotMappedIsAcknowledgedNotRefused() throws Exception {
        String body = ProviderFixtures.load("stripe/customer.created.json", IDS);

        ProviderIntake.Admitted admitted = intake.admit(stripe, signed(body), body.getBytes(StandardCharsets.UTF_8));

        assertThat(admitted.envelopes()).isEmpty();
        assertThat(admitted.unmappedTypes()).containsExactly("customer.created");
    }

    @Test
    void aDisputeStatusNewerThanTheMappingIsAcknowledgedNotRefused() throws Exception {
        String body = ProviderFixtures.load("stripe/charge.dispute.closed.json", Map.of("event_id", "evt_2",
                "order_id", "order-1001", "dispute_id", "du_2", "status", "some_future_status"));

        ProviderIntake.Admitted admitted = intake.admit(stripe, signed(body), body.getBytes(StandardCharsets.UTF_8));

        assertThat(admitted.envelopes()).isEmpty();
        assertThat(admitted.unmappedTypes()).containsExactly("charge.dispute.closed");
    }

    @Test
    void anEventMissingAMappedFieldIsRefusedNamingIt() {
        String body = ProviderFixtures.load("stripe/charge.succeeded.json", IDS)
                .replace("\"user_id\": \"user-42\"", "\"customer_ref\": \"user-42\"");

        WebhookRejection rejection = refused(() -> intake.admit(stripe, signed(body),
                body.getBytes(StandardCharsets.UTF_8)), 422, "schema_violation");

        assertThat(rejection.details()).extracting(detail -> ((Violation) detail).pointer())
                .containsExactly("/data/object/metadata/user_id");
        assertThat(rejection.getMessage()).contains("/data/object/metadata/user_id");
    }

    @Test
    void whatHookshardsSchemaRefusesIsReportedAtTheStripeField() {
        String body = ProviderFixtures.load("stripe/charge.succeeded.json", IDS)
                .replace("\"currency\": \"eur\"", "\"currency\": \"euro\"")
                .replace("\"amount\": 1999", "\"amount\": -5");

        WebhookRejection rejection = refused(() -> intake.admit(stripe, signed(body),
                body.getBytes(StandardCharsets.UTF_8)), 422, "schema_violation");

        assertThat(rejection.details()).extracting(detail -> ((Violation) detail).pointer())
                .containsExactlyInAnyOrder("/data/object/amount", "/data/object/currency");
    }

    @Test
    void anEventIdTooLongOnceNamedForStripeIsRefusedAtStripesField() throws Exception {
        String fits = "evt_" + "x".repeat(128 - "stripe:evt_".length());
        String body = ProviderFixtures.load("stripe/charge.succeeded.json", IDS);

        assertThat(tree(single(body.replace("evt_1QHk2bLkdIwHu7ixAbCdEfGh", fits)).payload())
                .get("provider_event_id").asText()).isEqualTo("stripe:" + fits).hasSize(128);
        String tooLong = body.replace("evt_1QHk2bLkdIwHu7ixAbCdEfGh", fits + "x");
        WebhookRejection rejection = refused(() -> intake.admit(stripe, signed(tooLong),
                tooLong.getBytes(StandardCharsets.UTF_8)), 422, "schema_violation");

        assertThat(rejection.details()).extracting(detail -> ((Violation) detail).pointer()).containsExactly("/id");
        assertThat(rejection.getMessage()).contains("written \"stripe:\" and the id");
    }

    @Test
    void anEmptyEventIdOrACurrencyThatIsOnlyUpperCasedIntoOneIsRefused() {
        String body = ProviderFixtures.load("stripe/charge.succeeded.json", IDS);
        String noId = body.replace("\"evt_1QHk2bLkdIwHu7ixAbCdEfGh\"", "\"\"");
        String sharpS = body.replace("\"currency\": \"eur\"", "\"currency\": \"\u00dfd\"");

        WebhookRejection empty = refused(() -> intake.admit(stripe, signed(noId),
                noId.getBytes(StandardCharsets.UTF_8)), 422, "schema_violation");
        WebhookRejection currency = refused(() -> intake.admit(stripe, signed(sharpS),
                sharpS.getBytes(StandardCharsets.UTF_8)), 422, "schema_violation");

        assertThat(empty.details()).extracting(detail -> ((Violation) detail).pointer()).containsExactly("/id");
        assertThat(currency.details()).extracting(detail -> ((Violation) detail).pointer())
                .containsExactly("/data/object/currency");
    }

    @Test
    void aDisputeStatusThatIsNoStringIsRefusedNotTakenForANewerOne() {
        for (String status : List.of("null", "{}", "3")) {
            String body = ProviderFixtures.load("stripe/charge.dispute.closed.json", Map.of("event_id", "evt_2",
                    "order_id", "order-1001", "dispute_id", "du_2", "status", "S")).replace("\"S\"", status);

            WebhookRejection rejection = refused(() -> intake.admit(stripe, signed(body),
                    body.getBytes(StandardCharsets.UTF_8)), 422, "schema_violation");

            assertThat(rejection.details()).as(status).extracting(detail -> ((Violation) detail).pointer())
                    .containsExactly("/data/object/status");
        }
    }

    @Test
    void aBodyWithMalformedUtf8ThatJacksonWouldReadIsRefused() {
        byte[] overlong = MalformedUtf8.overlongSlashFor(ProviderFixtures.load("stripe/charge.succeeded.json", IDS)
                .replace("req_oV4xJ2mQ8cS1tU", "req_\u0001"));

        refused(() -> intake.admit(stripe, headers(StripeSignatureVerifier.header(SECRET, NOW.getEpochSecond(),
                overlong)), overlong), 400, "malformed_json");
    }

    @Test
    void whereTheIdsAreIsConfiguration() throws Exception {
        ProviderSettings pointers = new ProviderSettings(SECRET, "/data/object/customer",
                "/data/object/payment_intent", null, java.time.Duration.ofMinutes(5), CLOCK);
        ProviderIntake configured = Intakes.of(new StripeAdapter(pointers), CLOCK);
        String body = ProviderFixtures.load("stripe/charge.succeeded.json", IDS);

        Envelope envelope = configured.admit(configured.adapter("stripe").orElseThrow(), signed(body),
                body.getBytes(StandardCharsets.UTF_8)).envelopes().get(0);

        JsonNode fields = tree(envelope.payload());
        assertThat(fields.get("user_id").asText()).isEqualTo("cus_R9xQ2bCdEfGhIj");
        assertThat(fields.get("order_id").asText()).isEqualTo("pi_3QHk2bLkdIwHu7ix0aBcDeFg");
    }

    @Test
    void aBodyThatIsNotJsonIsRefusedAfterItsSignature() {
        byte[] body = "{\"id\":".getBytes(StandardCharsets.UTF_8);

        refused(() -> intake.admit(stripe, headers("t=1795168800,v1=00"), body), 401, "signature_mismatch");
        refused(() -> intake.admit(stripe, headers(StripeSignatureVerifier.header(SECRET, NOW.getEpochSecond(),
                body)), body), 400, "malformed_json");
    }

    private Envelope single(String body) throws WebhookRejection {
        ProviderIntake.Admitted admitted = intake.admit(stripe, signed(body), body.getBytes(StandardCharsets.UTF_8));
        assertThat(admitted.unmappedTypes()).isEmpty();
        assertThat(admitted.envelopes()).hasSize(1);
        return admitted.envelopes().get(0);
    }

    private static UnaryOperator<String> signed(String body) {
        return headers(StripeSignatureVerifier.header(SECRET, NOW.getEpochSecond(),
                body.getBytes(StandardCharsets.UTF_8)));
    }

    private static UnaryOperator<String> headers(String signature) {
        return name -> name.equalsIgnoreCase("Stripe-Signature") ? signature : null;
    }
}
