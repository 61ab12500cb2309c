package io.hookshard.core;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventDecoderTest {
    private static final String ORDER = """
            {"note":{"deep":["x"]},"provider_event_id":"evt-1","user_id":"u-1","order_id":"o-1","status":"paid",
             "amount_minor":1250,"currency":"EUR","occurred_at":"2026-11-20T11:00:00+01:00"}""";

    // Lone halves of the pair for U+1F600, kept apart from backslashes: javac reads unicode escapes first.
    private static final String HIGH = "\uD83D";
    private static final String LOW = "\uDE00";

    private final PayloadSchemas schemas = new PayloadSchemas();
    private final EventDecoder decoder = new EventDecoder(schemas);

    @Test
    void decodesTheFieldsAWriteNeedsAndKeepsThePayloadText() throws Exception {
        OrderEvent event = decoder.order(envelope(schemas.version(EventType.ORDER_PAYMENT), ORDER));

        assertThat(event.providerEventId()).isEqualTo("evt-1");
        assertThat(event.userId()).isEqualTo("u-1");
        assertThat(event.orderId()).isEqualTo("o-1");
        assertThat(event.status()).isEqualTo(OrderStatus.PAID);
        assertThat(event.amountMinor()).isEqualTo(1250);
        assertThat(event.currency()).isEqualTo("EUR");
        assertThat(event.occurredAt()).isEqualTo(Instant.parse("2026-11-20T10:00:00Z"));
        assertThat(event.payloadJson()).isEqualTo(ORDER);
    }

    @Test
    void checksTheSchemaOfEnvelopesNotCheckedAgainstThisVersion() {
        String invalid = ORDER.replace("\"EUR\"", "\"euro\"");

        for (String version : new String[] {null, "order-payment@0000000000000000"}) {
            assertThatThrownBy(() -> decoder.order(envelope(version, invalid)))
                    .isInstanceOf(InvalidEventException.class)
                    .hasMessageContaining("/currency")
                    .extracting(e -> ((InvalidEventException) e).reason()).isEqualTo("schema_violation");
        }
    }

    @Test
    void refusesAPayloadThatClaimsThisVersionButLacksWhatTheWriteNeeds() {
        String version = schemas.version(EventType.ORDER_PAYMENT);

        assertThatThrownBy(() -> decoder.order(envelope(version, ORDER.replace("\"user_id\"", "\"user\""))))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("/user_id");
        assertThatThrownBy(() -> decoder.order(envelope(version, ORDER.replace("1250", "12.5"))))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("/amount_minor");
        assertThatThrownBy(() -> decoder.order(envelope(version, ORDER.replace("\"paid\"", "\"lost\""))))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("/status");
        assertThatThrownBy(() -> decoder.order(envelope(version, ORDER.replace("2026-11-20T11", "yesterday"))))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("occurred_at");
    }

    @Test
    void refusesWhatTheShardsCannotStoreAsASchemaViolationAtItsPointer() {
        String chargeback = """
                {"provider_event_id":"evt-2","order_id":"o-1","dispute_id":"d-1","status":"opened",
                 "reason":"fraudulent","amount_minor":1,"currency":"EUR","occurred_at":"2026-11-20T10:00:00Z"}""";
        String[][] orders = {
                {"\"2026-11-20T11:00:00+01:00\"", "\"2016-12-31T23:59:60Z\"", "/occurred_at"},
                {"\"2026-11-20T11:00:00+01:00\"", "\"2017-01-01T00:59:60.5+01:00\"", "/occurred_at"},
                {"\"2026-11-20T11:00:00+01:00\"", "\"0000-01-01T00:00:00Z\"", "/occurred_at"},
                {"\"2026-11-20T11:00:00+01:00\"", "\"0001-01-01T00:59:59.999+01:00\"", "/occurred_at"},
                {"\"2026-11-20T11:00:00+01:00\"", "\"9999-12-31T23:00:00-01:00\"", "/occurred_at"},
                {"\"evt-1\"", "\"evt-1\\u0000\"", "/provider_event_id"},
                {"\"u-1\"", "\"\\u0000\"", "/user_id"},
                {"\"o-1\"", "\"o\\u0000\"", "/order_id"},
                {"\"paid\"", "\"paid\\u0000\"", "/status"},
                {"\"EUR\"", "\"EU\\u0000\"", "/currency"},
                {"\"x\"", "\"\\ud800\"", "/note/deep/0"},
                {"\"x\"", "\"x\\udc00\"", "/note/deep/0"},
                {"\"x\"", "\"\\ude00\\ud83d\"", "/note/deep/0"},
                {"\"x\"", "\"\\ud83d\\u0041\"", "/note/deep/0"},
                {"\"x\"", "\"\\ud83d\\\\ude00\"", "/note/deep/0"},
                {"\"x\"", "\"\\ud83d" + LOW + "\"", "/note/deep/0"},
                {"\"x\"", "\"" + HIGH + "\\ude00\"", "/note/deep/0"},
                {"\"x\"", "\"" + HIGH + "\"", "/note/deep/0"},
                {"\"x\"", "\"x" + LOW + "\"", "/note/deep/0"},
                {"\"deep\"", "\"d\\ud800\"", "/note/d\uFFFD"},
                {"\"deep\"", "\"a/b~\\udfff\"", "/note/a~1b~0\uFFFD"}};
        String[][] chargebacks = {
                {"\"fraudulent\"", "\"fraud\\u0000\"", "/reason"},
                {"\"fraudulent\"", "\"fraud\\ud800\"", "/reason"},
                {"\"fraudulent\"", "\"fraud" + HIGH + "\"", "/reason"},
                {"\"d-1\"", "\"d\\u0000\"", "/dispute_id"},
                {"\"2026-11-20T10:00:00Z\"", "\"2016-06-30T23:59:60Z\"", "/occurred_at"}};

        List<String> mismatches = new ArrayList<>();
        for (String version : new String[] {null, "claimed"}) {
            for (String[] bad : orders) {
                Envelope envelope = envelope(EventType.ORDER_PAYMENT, version, ORDER.replace(bad[0], bad[1]));
                mismatches.addAll(mismatch(() -> decoder.order(envelope), bad));
            }
            for (String[] bad : chargebacks) {
                Envelope envelope = envelope(EventType.CHARGEBACK, version, chargeback.replace(bad[0], bad[1]));
                mismatches.addAll(mismatch(() -> decoder.chargeback(envelope), bad));
            }
        }

        assertThat(mismatches).isEmpty();
    }

    @Test
    void acceptsTheEdgesOfWhatTheShardsStore() throws Exception {
        String version = schemas.version(EventType.ORDER_PAYMENT);
        // An escaped NUL, escaped and raw surrogate pairs, an escaped backslash before "ud800": json keeps all.
        String payload = ORDER.replace("\"x\"",
                "\"\\u0000 \\ud83d\\ude00 " + HIGH + LOW + " \\\\ud800 \\\\\\ud83d\\ude00\"");

        assertThat(decoder.order(envelope(EventType.ORDER_PAYMENT, version, payload)).payloadJson()).isEqualTo(payload);
        assertThat(decoder.order(envelope(EventType.ORDER_PAYMENT, version,
                ORDER.replace("2026-11-20T11:00:00+01:00", "0001-01-01T01:00:00+01:00"))).occurredAt())
                .isEqualTo(Instant.parse("0001-01-01T00:00:00Z"));
        assertThat(decoder.order(envelope(EventType.ORDER_PAYMENT, null,
                ORDER.replace("2026-11-20T11:00:00+01:00", "9999-12-31T23:59:59.999999Z"))).occurredAt())
                .isEqualTo(Instant.parse("9999-12-31T23:59:59.999999Z"));
    }

    private interface Decoding {
        Object decode() throws InvalidEventException;
    }

    /** Empty when decoding fails as a schema violation at the pointer {@code bad[2]}; else what happened. */
    private static List<String> mismatch(Decoding decoding, String[] bad) {
        try {
            decoding.decode();
            return List.of(bad[1] + ": decoded");
        } catch (InvalidEventException e) {
            boolean named = e.reason().equals("schema_violation")
                    && e.violations().stream().anyMatch(violation -> violation.pointer().equals(bad[2]));
            return named ? List.of() : List.of(bad[1] + ": " + e.reason() + " " + e.violations());
        } catch (RuntimeException e) {
            return List.of(bad[1] + ": threw " + e);
        }
    }

    @Test
    void aProvidersEventIsDecodedFromItsMappedFieldsAndStoredAsTheProviderSentIt() throws Exception {
        String stripeEvent = """
                {"id": "evt-1", "type": "charge.succeeded", "created": 1795168800, "pending_webhooks": 2}""";
        Envelope envelope = new Envelope(UUID.randomUUID(), "u-1", EventType.ORDER_PAYMENT, null, Instant.now(),
                schemas.version(EventType.ORDER_PAYMENT), ORDER, "stripe", "stripe@1", stripeEvent);

        OrderEvent event = decoder.order(envelope);

        assertThat(event.orderId()).isEqualTo("o-1");
        assertThat(event.status()).isEqualTo(OrderStatus.PAID);
        assertThat(event.payloadJson()).isEqualTo(stripeEvent);
        // A redelivery compares what Hookshard applies: the same as for the event posted in Hookshard's own format.
        assertThat(event.content()).isEqualTo(decoder.order(envelope(schemas.version(EventType.ORDER_PAYMENT),
                ORDER)).content());
    }

    @Test
    void aProvidersEventIsCheckedLikeAnyOther() {
        Envelope envelope = new Envelope(UUID.randomUUID(), "u-1", EventType.ORDER_PAYMENT, null, Instant.now(), null,
                ORDER.replace("\"EUR\"", "\"euro\""), "stripe", "stripe@1", "{}");

        assertThatThrownBy(() -> decoder.order(envelope)).isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("/currency");
    }

    @Test
    void aRetryInOtherWhitespaceOrKeyOrderHasTheSameContentAndAnotherAmountDoesNot() throws Exception {
        String version = schemas.version(EventType.ORDER_PAYMENT);
        String content = decoder.order(envelope(version, ORDER)).content();
        String spaced = ORDER.replace(",\"", " ,  \"").replace("\":", "\" : ");

        assertThat(decoder.order(envelope(version, spaced)).content()).isEqualTo(content);
        assertThat(decoder.order(envelope(version, ORDER.replace("1250", "1251"))).content()).isNotEqualTo(content);
    }

    @Test
    void namesTheSchemaVersionByItsDocument() {
        assertThat(schemas.version(EventType.ORDER_PAYMENT)).matches("order-payment@[0-9a-f]{16}");
        assertThat(schemas.version(EventType.CHARGEBACK)).startsWith("chargeback@")
                .isNotEqualTo(schemas.version(EventType.ORDER_PAYMENT));
    }

    private Envelope envelope(String schemaVersion, String payload) {
        return envelope(EventType.ORDER_PAYMENT, schemaVersion, payload);
    }

    /** {@code schemaVersion} "claimed": the version of this release, so the decoder trusts the schema was checked. */
    private Envelope envelope(EventType type, String schemaVersion, String payload) {
        String version = "claimed".equals(schemaVersion) ? schemas.version(type) : schemaVersion;
        return new Envelope(UUID.randomUUID(), "u-1", type, "msg_1", Instant.now(), version, payload);
    }
}
