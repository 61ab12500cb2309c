package io.hookshard.core;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventDecoderTest {
    private static final String ORDER = """
            {"note":{"deep":["x"]},"provider_event_id":"evt-1","user_id":"u-1","order_id":"o-1","status":"paid",
             "amount_minor":1250,"currency":"EUR","occurred_at":"2026-11-20T11:00:00+01:00"}""";

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
    void aProvidersEventIsDecodedFromItsMappedFieldsAndStoredAsTheProviderSentIt() throws Exception {
        String stripeEvent = """
                {"id": "evt-1", "type": "charge.succeeded", "created": 1795168800, "pending_webhooks": 2}""";
        Envelope envelope = new Envelope(UUID.randomUUID(), "u-1", EventType.ORDER_PAYMENT, null, Instant.now(),
                schemas.version(EventType.ORDER_PAYMENT), ORDER, "stripe", "stripe@1", stripeEvent);

        OrderEvent event = decoder.order(envelope);

        assertThat(event.orderId()).isEqualTo("o-1");
        assertThat(event.status()).isEqualTo(OrderStatus.PAID);
        assertThat(event.payloadJson()).isEqualTo(stripeEvent);
        assertThat(event.content()).isEqualTo(ORDER);
    }

    @Test
    void aProvidersEventIsCheckedLikeAnyOther() {
        Envelope envelope = new Envelope(UUID.randomUUID(), "u-1", EventType.ORDER_PAYMENT, null, Instant.now(), null,
                ORDER.replace("\"EUR\"", "\"euro\""), "stripe", "stripe@1", "{}");

        assertThatThrownBy(() -> decoder.order(envelope)).isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("/currency");
    }

    @Test
    void namesTheSchemaVersionByItsDocument() {
        assertThat(schemas.version(EventType.ORDER_PAYMENT)).matches("order-payment@[0-9a-f]{16}");
        assertThat(schemas.version(EventType.CHARGEBACK)).startsWith("chargeback@")
                .isNotEqualTo(schemas.version(EventType.ORDER_PAYMENT));
    }

    private static Envelope envelope(String schemaVersion, String payload) {
        return new Envelope(UUID.randomUUID(), "u-1", EventType.ORDER_PAYMENT, "msg_1", Instant.now(), schemaVersion,
                payload);
    }
}
