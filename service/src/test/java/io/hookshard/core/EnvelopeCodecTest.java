package io.hookshard.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.jackson.Jackson;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EnvelopeCodecTest {
    private final ObjectMapper mapper = Jackson.newObjectMapper();
    private final EnvelopeCodec codec = new EnvelopeCodec();

    @Test
    void roundTripsAnEnvelopeWithThePayloadTextUntouched() throws Exception {
        String payload = """
                {"user_id" : "u-1", "provider_event_id":"evt-1","extra":{"nested":[1,2,3],"s":"{\\"}"},
                 "amount_minor":9007199254740991, "note": "naïve \\u00e9 ✓", "n": 1.50}""";
        Envelope envelope = new Envelope(UUID.randomUUID(), "u-1", EventType.ORDER_PAYMENT, "msg_1",
                Instant.parse("2026-11-23T10:15:30.123456Z"), "order-payment@0123456789abcdef", payload);

        Envelope decoded = codec.decode(codec.encode(envelope));

        assertThat(decoded).isEqualTo(envelope);
        assertThat(mapper.readTree(decoded.payload()).get("extra").get("nested")).hasSize(3);
    }

    @Test
    void decodesEnvelopesWithoutSchemaOrWebhookIdAndSkipsUnknownFields() throws Exception {
        Envelope decoded = codec.decode("""
                {"event_id":"00000000-0000-0000-0000-000000000001","key":"k","type":"payment.order",
                 "from_a_newer_release":{"x":[1]},"received_at":"2026-11-23T10:15:30Z","payload":{"a":1}}"""
                .getBytes(StandardCharsets.UTF_8));

        assertThat(decoded.schema()).isNull();
        assertThat(decoded.webhookId()).isNull();
        assertThat(decoded.payload()).isEqualTo("{\"a\":1}");
    }

    @Test
    void writesTheDocumentedFieldNames() throws Exception {
        Envelope envelope = new Envelope(UUID.fromString("00000000-0000-0000-0000-000000000001"), "u-1",
                EventType.CHARGEBACK, null, Instant.parse("2026-11-23T10:15:30Z"), "chargeback@0123456789abcdef",
                "{}");

        JsonNode json = mapper.readTree(codec.encode(envelope));

        assertThat(json.get("event_id").asText()).isEqualTo("00000000-0000-0000-0000-000000000001");
        assertThat(json.get("key").asText()).isEqualTo("u-1");
        assertThat(json.get("type").asText()).isEqualTo("payment.chargeback");
        assertThat(json.get("received_at").asText()).isEqualTo("2026-11-23T10:15:30Z");
        assertThat(json.get("schema").asText()).isEqualTo("chargeback@0123456789abcdef");
        assertThat(json.get("payload").isObject()).isTrue();
    }

    @Test
    void writesHookshardsOwnEnvelopesExactlyAsBeforeProvidersExisted() {
        Envelope envelope = new Envelope(UUID.fromString("00000000-0000-0000-0000-000000000001"), "u-1",
                EventType.ORDER_PAYMENT, "msg_1", Instant.parse("2026-11-23T10:15:30Z"),
                "order-payment@0123456789abcdef", "{\"a\": 1}");

        assertThat(new String(codec.encode(envelope), StandardCharsets.UTF_8)).isEqualTo("""
                {"event_id":"00000000-0000-0000-0000-000000000001","key":"u-1","type":"payment.order",\
                "webhook_id":"msg_1","received_at":"2026-11-23T10:15:30Z","schema":"order-payment@0123456789abcdef",\
                "payload":{"a": 1}}""");
    }

    @Test
    void writesAProviderEnvelopeWithBothTextsAsTheyAreAndTheFieldsInTheirOrder() {
        Envelope envelope = new Envelope(UUID.fromString("00000000-0000-0000-0000-000000000002"), "u-é",
                EventType.ORDER_PAYMENT, null, Instant.parse("2026-11-23T10:15:30.5Z"), null,
                "{\"note\": \"naïve ✓ 𝄞\"}", "stripe", null, "{\"id\": \"evt_\\\"1\"}");

        assertThat(new String(codec.encode(envelope), StandardCharsets.UTF_8)).isEqualTo("""
                {"event_id":"00000000-0000-0000-0000-000000000002","key":"u-é","type":"payment.order",\
                "received_at":"2026-11-23T10:15:30.500Z","payload":{"note": "naïve ✓ 𝄞"},\
                "provider":"stripe","provider_payload":{"id": "evt_\\"1"}}""");
    }

    @Test
    void refusesToWriteATextWithAnUnpairedSurrogateRatherThanChangeIt() {
        Envelope envelope = new Envelope(UUID.randomUUID(), "u-1", EventType.ORDER_PAYMENT, null,
                Instant.parse("2026-11-23T10:15:30Z"), null, "{\"a\": 1}", "stripe", null,
                "{\"note\": \"x\ud800y 𝄞\"}");

        assertThatThrownBy(() -> codec.encode(envelope)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unpaired UTF-16 surrogate");
    }

    @Test
    void decodesAnEnvelopeWhosePayloadIsNestedAsDeepAsIngestAccepts() throws Exception {
        int deepest = com.fasterxml.jackson.core.StreamReadConstraints.DEFAULT_MAX_DEPTH;
        String payload = "{\"user_id\":\"u-1\",\"x\":" + "[".repeat(deepest - 1) + "]".repeat(deepest - 1) + "}";
        assertThat(mapper.readTree(payload).get("user_id").asText()).as("ingest's parser takes it").isEqualTo("u-1");
        assertThatThrownBy(() -> mapper.readTree("[" + payload + "]")).as("one level more, it would not")
                .hasMessageContaining("nesting depth");
        Envelope envelope = new Envelope(UUID.randomUUID(), "u-1", EventType.ORDER_PAYMENT, null,
                Instant.parse("2026-11-23T10:15:30Z"), null, payload);

        assertThat(codec.decode(codec.encode(envelope))).isEqualTo(envelope);
    }

    @Test
    void roundTripsAProviderEnvelopeWithBothTextsUntouched() throws Exception {
        String providerItem = """
                {"id": "evt_1", "type": "charge.succeeded",
                  "data": {"object": {"amount": 1999, "note": "naïve \\u00e9 ✓", "ratio": 1.50}}}""";
        Envelope envelope = new Envelope(UUID.randomUUID(), "u-1", EventType.ORDER_PAYMENT, null,
                Instant.parse("2026-11-23T10:15:30.5Z"), "order-payment@0123456789abcdef",
                "{\"provider_event_id\":\"evt_1\",\"user_id\":\"u-1\"}", "stripe", "stripe@1", providerItem);

        byte[] encoded = codec.encode(envelope);
        Envelope decoded = codec.decode(encoded);

        assertThat(decoded).isEqualTo(envelope);
        assertThat(decoded.stored()).isEqualTo(providerItem);
        JsonNode json = mapper.readTree(encoded);
        assertThat(json.get("provider").asText()).isEqualTo("stripe");
        assertThat(json.get("mapping").asText()).isEqualTo("stripe@1");
        assertThat(json.get("provider_payload").get("data").get("object").get("amount").asInt()).isEqualTo(1999);
    }

    @Test
    void anEnvelopeWithoutProviderFieldsStoresItsPayload() throws Exception {
        Envelope decoded = codec.decode("""
                {"event_id":"00000000-0000-0000-0000-000000000001","key":"k","type":"payment.order",
                 "received_at":"2026-11-23T10:15:30Z","payload":{"a":1}}""".getBytes(StandardCharsets.UTF_8));

        assertThat(decoded.provider()).isNull();
        assertThat(decoded.mapping()).isNull();
        assertThat(decoded.providerPayload()).isNull();
        assertThat(decoded.stored()).isEqualTo("{\"a\":1}");
    }

    @Test
    void refusesAProviderWithoutItsPayloadAndAPayloadWithoutItsProvider() {
        String head = "{\"event_id\":\"00000000-0000-0000-0000-000000000001\",\"key\":\"k\",\"type\":"
                + "\"payment.order\",\"received_at\":\"2026-11-23T10:15:30Z\",\"payload\":{}";

        for (String tail : new String[] {",\"provider\":\"stripe\"}", ",\"provider_payload\":{}}",
                ",\"provider\":\"stripe\",\"provider_payload\":[1]}"}) {
            assertThatThrownBy(() -> codec.decode((head + tail).getBytes(StandardCharsets.UTF_8)))
                    .as(tail).isInstanceOf(InvalidEventException.class)
                    .extracting(e -> ((InvalidEventException) e).reason()).isEqualTo("undecodable_envelope");
        }
    }

    @Test
    void givesTheSameProviderEventTheSameEventIdEverywhere() {
        UUID first = Envelope.eventIdOf(EventType.ORDER_PAYMENT, "evt-42");

        assertThat(Envelope.eventIdOf(EventType.ORDER_PAYMENT, "evt-42")).isEqualTo(first);
        assertThat(first).isEqualTo(UUID.fromString("" + first));
        assertThat(Envelope.eventIdOf(EventType.CHARGEBACK, "evt-42")).isNotEqualTo(first);
        assertThat(Envelope.eventIdOf(EventType.ORDER_PAYMENT, "evt-43")).isNotEqualTo(first);
    }

    @Test
    void refusesBytesThatAreNoEnvelope() {
        assertThatThrownBy(() -> codec.decode("not json".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidEventException.class)
                .extracting(e -> ((InvalidEventException) e).reason()).isEqualTo("undecodable_envelope");
        assertThatThrownBy(() -> codec.decode("{\"event_id\":\"x\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidEventException.class);
        assertThatThrownBy(() -> codec.decode(
                "{\"event_id\":\"00000000-0000-0000-0000-000000000001\",\"key\":\"k\",\"type\":\"payment.refund\",\"received_at\":\"2026-11-23T10:15:30Z\",\"payload\":{}}"
                        .getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidEventException.class);
        assertThatThrownBy(() -> codec.decode(null)).isInstanceOf(InvalidEventException.class);
        assertThatThrownBy(() -> codec.decode(
                "{\"event_id\":\"00000000-0000-0000-0000-000000000001\",\"key\":\"k\",\"type\":\"payment.order\",\"received_at\":\"2026-11-23T10:15:30Z\",\"payload\":[1]}"
                        .getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidEventException.class);
        assertThatThrownBy(() -> codec.decode(
                "{\"event_id\":\"00000000-0000-0000-0000-000000000001\",\"key\":\"k\",\"type\":\"payment.order\",\"received_at\":\"2026-11-23T10:15:30Z\",\"payload\":{}} x"
                        .getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidEventException.class);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"UTF-16BE", "UTF-16LE", "UTF-32BE", "UTF-32LE", "UTF-16"})
    void anEnvelopeInAnotherUnicodeEncodingIsRefusedAsUndecodable(String charset) {
        Envelope envelope = new Envelope(UUID.randomUUID(), "u-1", EventType.ORDER_PAYMENT, null,
                Instant.parse("2026-11-23T10:15:30Z"), null, "{\"user_id\":\"u-1\",\"note\":\"é\"}");
        byte[] utf8 = codec.encode(envelope);
        byte[] other = new String(utf8, StandardCharsets.UTF_8).getBytes(java.nio.charset.Charset.forName(charset));

        assertThatThrownBy(() -> codec.decode(other)).isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("UTF-8");
    }

    @Test
    void anEnvelopeWithBytesThatAreNotUtf8IsRefusedAsUndecodable() {
        byte[] value = ("{\"event_id\":\"00000000-0000-0000-0000-000000000001\",\"key\":\"k\",\"type\":"
                + "\"payment.order\",\"received_at\":\"2026-11-23T10:15:30Z\",\"payload\":{\"a\":\"x\"}}")
                .getBytes(StandardCharsets.UTF_8);
        int x = new String(value, StandardCharsets.UTF_8).indexOf("\"x\"") + 1;
        value[x] = (byte) 0xC3;

        assertThatThrownBy(() -> codec.decode(value)).isInstanceOf(InvalidEventException.class);
    }
}
