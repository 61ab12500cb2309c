package io.hookshard.providers;

import io.hookshard.core.Envelope;
import io.hookshard.core.EventType;
import io.hookshard.core.Violation;
import io.hookshard.core.WebhookRejection;
import io.hookshard.support.ProviderFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.hookshard.providers.Intakes.refused;
import static io.hookshard.providers.Intakes.settings;
import static io.hookshard.providers.Intakes.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AdyenWebhooksTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-20T10:00:00Z"), ZoneOffset.UTC);

    /**
     * Adyen's own vector, from the tests of its API library (adyen-php-api-library,
     * tests/Adyen/Util/HmacSignatureTest.php), checked with openssl: printf '%s'
     * '7914073381342284::TestMerchant:TestPayment-1407325143704:1130:EUR:AUTHORISATION:true' | openssl dgst -sha256
     * -mac HMAC -macopt hexkey:DFB1EB5485895CFA84146406857104ABB4CBCABDC8AAF103A624C8F6A3EAAB00 -binary | base64
     */
    private static final String ADYEN_KEY = "DFB1EB5485895CFA84146406857104ABB4CBCABDC8AAF103A624C8F6A3EAAB00";
    private static final String ADYEN_ITEM = """
            {"pspReference": "7914073381342284", "merchantAccountCode": "TestMerchant",
             "merchantReference": "TestPayment-1407325143704", "amount": {"value": 1130, "currency": "EUR"},
             "eventCode": "AUTHORISATION", "success": "true",
             "additionalData": {"hmacSignature": "Ny9gS2veKo5E4w8/OL6xz1/wvT/hYkAXy1xNc/QvO4I="}}""";
    /**
     * A refused refund (originalReference present, success false), computed with python's hmac module:
     * base64(hmac.new(bytes.fromhex(ADYEN_HMAC_KEY), b'8816178952135121:7914073381342284:HookshardShopECOM:'
     * b'order-1001:500:EUR:REFUND:false', sha256).digest()), and the same with openssl.
     */
    private static final String REFUND_ITEM = """
            {"additionalData": {"hmacSignature": "80XLNei/gc7ek9SZhlt5Xmam8KLZCMN2IHObwpKYviw="},
             "amount": {"currency": "EUR", "value": 500}, "eventCode": "REFUND",
             "eventDate": "2026-11-21T09:30:00+01:00", "merchantAccountCode": "HookshardShopECOM",
             "merchantReference": "order-1001", "originalReference": "7914073381342284",
             "pspReference": "8816178952135121", "reason": "", "success": "false"}""";

    private final ProviderIntake intake = Intakes.of(new AdyenAdapter(settings(ProviderFixtures.ADYEN_HMAC_KEY,
            CLOCK)), CLOCK);
    private final ProviderAdapter adyen = intake.adapter("adyen").orElseThrow();

    @Test
    void verifiesItemsAgainstVectorsComputedApartFromTheCode() throws Exception {
        ProviderIntake withAdyensKey = Intakes.of(new AdyenAdapter(settings(ADYEN_KEY, CLOCK)), CLOCK);
        ProviderAdapter adapter = withAdyensKey.adapter("adyen").orElseThrow();

        adapter.verifyEvent(tree(ADYEN_ITEM));
        adyen.verifyEvent(tree(REFUND_ITEM));
        assertThat(AdyenAdapter.signature(ADYEN_KEY, tree(ADYEN_ITEM)))
                .isEqualTo("Ny9gS2veKo5E4w8/OL6xz1/wvT/hYkAXy1xNc/QvO4I=");
        assertThatThrownBy(() -> adyen.verifyEvent(tree(ADYEN_ITEM))).hasMessageContaining("does not match");
        assertThatThrownBy(() -> adyen.verifyEvent(tree(REFUND_ITEM.replace("\"value\": 500", "\"value\": 5000"))))
                .hasMessageContaining("does not match");
        assertThatThrownBy(() -> adyen.verifyEvent(tree(REFUND_ITEM.replace("\"success\": \"false\"",
                "\"success\": \"true\"")))).hasMessageContaining("does not match");
    }

    @ParameterizedTest
    @CsvSource({
            "AUTHORISATION, true,  authorized, 1999, 2026-11-20T11:00:00+01:00",
            "AUTHORISATION, false, failed,     1999, 2026-11-20T11:00:00+01:00",
            "CAPTURE,       true,  paid,       1999, 2026-11-20T11:05:00+01:00",
            "CAPTURE,       false, failed,     1999, 2026-11-20T11:05:00+01:00",
            "REFUND,        true,  refunded,   500,  2026-11-21T09:30:00+01:00",
            "REFUND,        false, paid,       500,  2026-11-21T09:30:00+01:00",
            "CANCELLATION,  true,  canceled,   1999, 2026-11-20T12:00:00+01:00",
            "CANCELLATION,  false, authorized, 1999, 2026-11-20T12:00:00+01:00"})
    void mapsEveryPaymentCodeAndSuccessFlag(String eventCode, String success, String status, long amount,
                                            String occurredAt) throws Exception {
        String item = ProviderFixtures.adyenItem(eventCode, values("8816178952135121", success));

        Envelope envelope = admitted(ProviderFixtures.adyenBatch(item)).envelopes().get(0);

        assertThat(envelope.type()).isEqualTo(EventType.ORDER_PAYMENT);
        assertThat(envelope.key()).isEqualTo("user-42");
        assertThat(tree(envelope.payload())).isEqualTo(tree("""
                {"provider_event_id":"adyen:%s:8816178952135121","user_id":"user-42","order_id":"order-1001",
                 "status":"%s","amount_minor":%d,"currency":"EUR","occurred_at":"%s"}""".formatted(eventCode, status,
                amount, occurredAt)));
        assertThat(envelope.providerPayload()).isEqualTo(item);
        assertThat(envelope.provider()).isEqualTo("adyen");
        assertThat(envelope.mapping()).isEqualTo("adyen@2");
    }

    @Test
    void mapsAChargebackToADisputeOpenedOnTheOrder() throws Exception {
        String item = ProviderFixtures.adyenItem("CHARGEBACK", values("9915555555555555", "true"));

        Envelope envelope = admitted(ProviderFixtures.adyenBatch(item)).envelopes().get(0);

        assertThat(envelope.type()).isEqualTo(EventType.CHARGEBACK);
        assertThat(envelope.key()).isEqualTo("order-1001");
        assertThat(tree(envelope.payload())).isEqualTo(tree("""
                {"provider_event_id":"adyen:CHARGEBACK:9915555555555555","order_id":"order-1001",
                 "dispute_id":"9915555555555555","status":"opened","reason":"Other Fraud-Card Absent Environment",
                 "amount_minor":1999,"currency":"EUR","occurred_at":"2026-11-22T10:00:00+01:00"}"""));
    }

    @Test
    void aBatchBecomesOneEnvelopePerItemInOrderEachStoredAsItsOwnText() throws Exception {
        String authorisation = ProviderFixtures.adyenItem("AUTHORISATION", values("7914073381342284", "true"));
        String capture = ProviderFixtures.adyenItem("CAPTURE", values("8816178952135121", "true"));
        String report = ProviderFixtures.adyenItem("REPORT_AVAILABLE", values("8816178952135999", "true"));
        String chargeback = ProviderFixtures.adyenItem("CHARGEBACK", values("9915555555555555", "true"));

        ProviderIntake.Admitted admitted = admitted(ProviderFixtures.adyenBatch(authorisation, capture, report,
                chargeback));

        assertThat(admitted.envelopes()).extracting(Envelope::providerPayload)
                .containsExactly(authorisation, capture, chargeback);
        assertThat(admitted.envelopes()).extracting(Envelope::eventId).doesNotHaveDuplicates();
        assertThat(admitted.unmappedTypes()).containsExactly("REPORT_AVAILABLE");
        assertThat(adyen.acknowledgement()).contains("[accepted]");
    }

    @Test
    void oneItemWithABadSignatureRefusesTheWholeBatchNamingIt() {
        String good = ProviderFixtures.adyenItem("AUTHORISATION", values("7914073381342284", "true"));
        String forged = ProviderFixtures.adyenItem("CAPTURE", values("8816178952135121", "true"))
                .replace("\"value\": 1999", "\"value\": 1");

        WebhookRejection rejection = refused(() -> admitted(ProviderFixtures.adyenBatch(good, forged)), 401,
                "signature_mismatch");

        assertThat(rejection.details()).extracting(detail -> ((Violation) detail).pointer())
                .containsExactly("/notificationItems/1/NotificationRequestItem");
    }

    @Test
    void oneItemThatCannotBeMappedRefusesTheWholeBatchNamingItsField() {
        String good = ProviderFixtures.adyenItem("AUTHORISATION", values("7914073381342284", "true"));
        String bad = ProviderFixtures.adyenItem("CAPTURE", values("8816178952135121", "true"),
                text -> text.replace("\"shopperReference\"", "\"shopper\""));
        String badToo = ProviderFixtures.adyenItem("REFUND", values("8816178952135122", "true"),
                text -> text.replace("\"EUR\"", "\"E1\""));

        WebhookRejection rejection = refused(() -> admitted(ProviderFixtures.adyenBatch(good, bad, badToo)), 422,
                "schema_violation");

        assertThat(rejection.details()).extracting(detail -> ((Violation) detail).pointer()).containsExactly(
                "/notificationItems/1/NotificationRequestItem/additionalData/shopperReference",
                "/notificationItems/2/NotificationRequestItem/amount/currency");
    }

    @Test
    void anItemWhosePspReferenceIsEmptyOrNoIdIsRefusedNamingIt() {
        for (String pspReference : List.of("\"\"", "{}", "1.5", "true")) {
            String item = ProviderFixtures.adyenItem("AUTHORISATION", values("PSP", "true"),
                    text -> text.replace("\"PSP\"", pspReference));

            WebhookRejection rejection = refused(() -> admitted(ProviderFixtures.adyenBatch(item)), 422,
                    "schema_violation");

            assertThat(rejection.details()).as(pspReference).extracting(detail -> ((Violation) detail).pointer())
                    .containsExactly("/notificationItems/0/NotificationRequestItem/pspReference");
        }
    }

    @Test
    void itemsOfOneBatchThatContradictEachOtherRefuseItNamingTheLaterOne() throws Exception {
        String authorised = ProviderFixtures.adyenItem("AUTHORISATION", values("7914073381342284", "true"));
        String otherAmount = ProviderFixtures.adyenItem("AUTHORISATION", values("7914073381342284", "true"),
                text -> text.replace("\"value\": 1999", "\"value\": 1300"));
        Map<String, String> otherUser = values("8816178952135121", "true");
        otherUser.put("user_id", "user-43");
        String otherOwner = ProviderFixtures.adyenItem("CAPTURE", otherUser);

        WebhookRejection told = refused(() -> admitted(ProviderFixtures.adyenBatch(authorised, otherAmount)), 422,
                "schema_violation");
        WebhookRejection owned = refused(() -> admitted(ProviderFixtures.adyenBatch(authorised, otherOwner)), 422,
                "schema_violation");

        assertThat(told.details()).extracting(detail -> ((Violation) detail).pointer())
                .containsExactly("/notificationItems/1/NotificationRequestItem/pspReference");
        assertThat(owned.details()).extracting(detail -> ((Violation) detail).pointer())
                .containsExactly("/notificationItems/1/NotificationRequestItem/additionalData/shopperReference");
        assertThat(owned.getMessage()).contains("/notificationItems/0/NotificationRequestItem");
        // The same instant written otherwise is the same event, as the inbox sees it.
        String otherNotation = ProviderFixtures.adyenItem("AUTHORISATION", values("7914073381342284", "true"),
                text -> text.replace("2026-11-20T11:00:00+01:00", "2026-11-20T10:00:00.000Z"));
        assertThat(admitted(ProviderFixtures.adyenBatch(authorised, otherNotation)).envelopes()).hasSize(2);
        // The same event told twice alike is no contradiction: the inbox stores it once.
        assertThat(admitted(ProviderFixtures.adyenBatch(authorised, authorised)).envelopes())
                .extracting(Envelope::eventId).hasSize(2).containsOnly(admitted(ProviderFixtures.adyenBatch(
                        authorised)).envelopes().get(0).eventId());
    }

    @Test
    void anItemWithoutASignatureOrABatchWithoutItemsIsRefused() {
        String unsigned = ProviderFixtures.adyenItem("AUTHORISATION", values("7914073381342284", "true"))
                .replaceAll("\"hmacSignature\": \"[^\"]*\",?", "");

        refused(() -> admitted(ProviderFixtures.adyenBatch(unsigned)), 401, "missing_signature");
        refused(() -> admitted("{\"live\":\"false\"}"), 422, "schema_violation");
        refused(() -> admitted("{\"live\":\"false\",\"notificationItems\":[]}"), 422, "schema_violation");
        refused(() -> admitted("{\"notificationItems\":[{\"Other\":{}}]}"), 422, "schema_violation");
    }

    @Test
    void withoutAKeyNothingIsParsedNorAccepted() {
        ProviderIntake closed = Intakes.of(new AdyenAdapter(settings(" ", CLOCK)), CLOCK);

        refused(() -> closed.admit(closed.adapter("adyen").orElseThrow(), name -> null,
                "not even JSON".getBytes(StandardCharsets.UTF_8)), 401, "no_secret_configured");
    }

    @Test
    void aKeyThatIsNotHexStopsTheStartWithoutPrintingIt() {
        assertThatThrownBy(() -> new AdyenAdapter(settings("00FF00FF00FF00FF00FF00FF00FF00FF,not-hex-secret",
                CLOCK))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("#2")
                .hasMessageNotContaining("not-hex-secret");
    }

    private ProviderIntake.Admitted admitted(String body) throws WebhookRejection {
        return intake.admit(adyen, name -> null, body.getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, String> values(String pspReference, String success) {
        Map<String, String> values = new HashMap<>(Map.of("psp_reference", pspReference, "success", success,
                "order_id", "order-1001", "user_id", "user-42", "original_reference", "7914073381342284"));
        return values;
    }
}
