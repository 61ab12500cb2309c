package io.hookshard.core;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PayloadSchemasTest {
    private final PayloadSchemas schemas = new PayloadSchemas();
    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void acceptsAValidOrderWithExtraFields() throws Exception {
        assertThat(schemas.validate(EventType.ORDER_PAYMENT, mapper.readTree("""
                {"provider_event_id":"evt-1","user_id":"u-1","order_id":"o-1","status":"paid","amount_minor":0,
                 "currency":"EUR","occurred_at":"2026-11-20T10:00:00+01:00","provider_specific":{"a":1}}"""))).isEmpty();
    }

    @Test
    void listsEveryViolationWithItsPointer() throws Exception {
        var violations = schemas.validate(EventType.ORDER_PAYMENT, mapper.readTree("""
                {"provider_event_id":"","user_id":"u 1","status":"shipped","amount_minor":-1,
                 "currency":"eur","occurred_at":"yesterday"}"""));

        assertThat(violations).extracting(Violation::pointer).contains("/order_id", "/provider_event_id", "/user_id",
                "/status", "/amount_minor", "/currency", "/occurred_at");
        assertThat(violations).allSatisfy(violation -> assertThat(violation.message()).isNotBlank());
    }

    @Test
    void refusesAmountsBeyondTwoToTheFiftyThirdAndFractions() throws Exception {
        assertThat(schemas.validate(EventType.CHARGEBACK, mapper.readTree("""
                {"provider_event_id":"e","order_id":"o","dispute_id":"d","status":"opened","reason":"fraud",
                 "amount_minor":9007199254740992,"currency":"USD","occurred_at":"2026-11-20T10:00:00Z"}""")))
                .extracting(Violation::pointer).containsExactly("/amount_minor");
        assertThat(schemas.validate(EventType.CHARGEBACK, mapper.readTree("""
                {"provider_event_id":"e","order_id":"o","dispute_id":"d","status":"opened","reason":"fraud",
                 "amount_minor":10.5,"currency":"USD","occurred_at":"2026-11-20T10:00:00Z"}""")))
                .extracting(Violation::pointer).containsExactly("/amount_minor");
    }

    /**
     * Java's {@code $} also matches before a final line terminator, so {@code ^[A-Z]{3}$} let "EUR\n" through: it
     * was answered 202 and then dead-lettered, since currency is a char(3) column. Identifiers fared the same.
     */
    @Test
    void refusesIdentifiersAndCurrenciesEndingInALineBreak() {
        for (String lineBreak : List.of("\n", "\r\n", "\r", "\u0085", "\u2028", "\u2029")) {
            Map<String, Object> order = new LinkedHashMap<>(Map.of("provider_event_id", "evt-1" + lineBreak,
                    "user_id", "u-1" + lineBreak, "order_id", "o-1" + lineBreak, "status", "paid", "amount_minor", 1,
                    "currency", "EUR" + lineBreak, "occurred_at", "2026-11-20T10:00:00Z"));
            assertThat(schemas.validate(EventType.ORDER_PAYMENT, mapper.valueToTree(order)))
                    .extracting(Violation::pointer)
                    .containsExactly("/currency", "/order_id", "/provider_event_id", "/user_id");

            Map<String, Object> chargeback = new LinkedHashMap<>(Map.of("provider_event_id", "evt-2" + lineBreak,
                    "order_id", "o-1" + lineBreak, "dispute_id", "dp-1" + lineBreak, "status", "opened",
                    "reason", "fraud", "amount_minor", 1, "currency", "EUR" + lineBreak,
                    "occurred_at", "2026-11-20T10:00:00Z"));
            assertThat(schemas.validate(EventType.CHARGEBACK, mapper.valueToTree(chargeback)))
                    .extracting(Violation::pointer)
                    .containsExactly("/currency", "/dispute_id", "/order_id", "/provider_event_id");
        }
    }

    @Test
    void stillAcceptsEveryPrintableIdentifierAndCurrency() throws Exception {
        String printable = "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`"
                + "abcdefghijklmnopqrstuvwxyz{|}~";
        Map<String, Object> order = new LinkedHashMap<>(Map.of("provider_event_id", printable, "user_id", "u",
                "order_id", "x".repeat(128), "status", "paid", "amount_minor", 0, "currency", "ZZZ",
                "occurred_at", "2026-11-20T10:00:00Z"));
        assertThat(schemas.validate(EventType.ORDER_PAYMENT, mapper.valueToTree(order))).isEmpty();
    }

    @Test
    void refusesABodyThatIsNotAnObject() throws Exception {
        assertThat(schemas.validate(EventType.ORDER_PAYMENT, mapper.readTree("[1,2]"))).isNotEmpty();
        assertThat(schemas.validate(EventType.ORDER_PAYMENT, mapper.readTree("\"text\""))).isNotEmpty();
    }

    @Test
    void publishesTheSchemaDocuments() {
        assertThat(new String(schemas.document("order-payment"))).contains("\"provider_event_id\"");
        assertThat(new String(schemas.document("chargeback"))).contains("\"dispute_id\"");
        assertThat(schemas.document("../etc/passwd")).isNull();
    }
}
