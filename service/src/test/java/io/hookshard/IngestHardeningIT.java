package io.hookshard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookshard.support.MalformedUtf8;
import io.hookshard.support.RawHttp;
import io.hookshard.support.ShardSql;
import io.hookshard.support.TestApp;
import io.hookshard.support.Topics;
import io.hookshard.support.Webhooks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The ingest API faces the internet: a corpus of malformed, forged, oversized and hostile requests, each refused
 * with its exact status and a JSON error, none reaching Kafka or a shard, and valid webhooks still served after.
 */
class IngestHardeningIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FORGER_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static TestApp app;
    private final Webhooks provider = new Webhooks(TestApp.SECRET);

    @BeforeAll
    static void start() throws Exception {
        app = TestApp.onSharedInfrastructure().start();
    }

    @AfterAll
    static void stop() {
        app.stop();
    }

    private interface Request {
        RawHttp.Answer send() throws Exception;
    }

    private record Case(String name, int status, String code, Request request) {
    }

    @Test
    void refusesEveryHostileRequestWithItsStatusAndTouchesNothing() throws Exception {
        List<String> mismatches = new ArrayList<>();
        List<Case> corpus = corpus();
        for (Case hostile : corpus) {
            RawHttp.Answer answer = hostile.request().send();
            JsonNode body = parse(answer.body());
            String code = body == null || !body.has("code") ? null : body.get("code").asText();
            if (answer.status() != hostile.status() || (hostile.code() != null && !hostile.code().equals(code))
                    || body == null || !body.has("message") || !body.has("details")) {
                mismatches.add(hostile.name() + ": expected " + hostile.status() + " " + hostile.code() + ", got "
                        + answer.status() + " " + answer.body());
            }
        }

        assertThat(corpus).hasSizeGreaterThanOrEqualTo(40);
        assertThat(mismatches).isEmpty();
        assertThat(Topics.recordCount(app.bootstrapServers(), app.ordersTopic())).isZero();
        assertThat(Topics.recordCount(app.bootstrapServers(), app.disputesTopic())).isZero();
        for (String shard : app.shardUrls()) {
            assertThat(ShardSql.count(shard, "SELECT count(*) FROM inbox")).isZero();
            assertThat(ShardSql.count(shard, "SELECT count(*) FROM order_directory")).isZero();
        }

        String order = Webhooks.randomId("order");
        assertThat(provider.post(orders(), Webhooks.order(Webhooks.randomId("evt"), "user-after", order, "paid", 1,
                "2026-11-20T10:00:00Z")).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> provider.get(app.url("/orders/" + order)).statusCode() == 200);
    }

    @Test
    void violationsAreAllListedWithTheirPointers() throws Exception {
        HttpResponse<String> response = provider.post(orders(), "{\"currency\":\"eur\",\"amount_minor\":-5}");

        assertThat(response.statusCode()).isEqualTo(422);
        JsonNode details = JSON.readTree(response.body()).get("details");
        List<String> pointers = new ArrayList<>();
        details.forEach(detail -> pointers.add(detail.get("pointer").asText()));
        assertThat(pointers).contains("/provider_event_id", "/user_id", "/order_id", "/status", "/occurred_at",
                "/currency", "/amount_minor");
        assertThat(JSON.readTree(response.body()).get("message").asText()).contains("GET /schemas/order-payment");
    }

    @Test
    void aWrongContentTypeIsToldWhatToSendInstead() throws Exception {
        Map<String, String> answers = Map.of("text/plain", "Content-Type must be application/json",
                "json", "Content-Type must be application/json; 'json' is not a media type");
        for (Map.Entry<String, String> answer : answers.entrySet()) {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(orders())
                    .header("Content-Type", answer.getKey()).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(answer.getKey()).isEqualTo(415);
            assertThat(JSON.readTree(response.body()).get("message").asText()).as(answer.getKey())
                    .isEqualTo(answer.getValue());
        }
    }

    @Test
    void publishesTheSchemas() throws Exception {
        HttpResponse<String> schema = provider.get(app.url("/schemas/chargeback"));

        assertThat(schema.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(schema.body()).get("$schema").asText())
                .isEqualTo("https://json-schema.org/draft/2020-12/schema");
    }

    private List<Case> corpus() {
        String valid = Webhooks.order("evt-h", "user-h", "order-h", "paid", 100, "2026-11-20T10:00:00Z");
        byte[] validBytes = valid.getBytes(StandardCharsets.UTF_8);
        long now = Instant.now().getEpochSecond();
        byte[] big = ("{\"pad\":\"" + "x".repeat(65 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);
        List<Case> cases = new ArrayList<>();

        // Forged, stale and malformed signatures: 401, before the body is even parsed.
        cases.add(http("no signature headers", 401, "missing_signature_headers", HttpRequest.newBuilder(orders())
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(valid))));
        cases.add(http("webhook-id missing", 401, "missing_signature_headers", without(valid, "webhook-id")));
        cases.add(http("webhook-timestamp missing", 401, "missing_signature_headers", without(valid, "webhook-timestamp")));
        cases.add(http("webhook-signature missing", 401, "missing_signature_headers", without(valid, "webhook-signature")));
        cases.add(http("signature of another body", 401, "signature_mismatch", withHeader(valid, "webhook-signature",
                Webhooks.signedWith(orders(), "{}".getBytes(StandardCharsets.UTF_8), "msg_x", now, TestApp.SECRET)
                        .build().headers().firstValue("webhook-signature").orElseThrow(), "msg_x", now)));
        cases.add(http("signed with another secret", 401, "signature_mismatch",
                Webhooks.signedWith(orders(), validBytes, "msg_1", now, FORGER_SECRET)));
        cases.add(http("timestamp ten minutes old", 401, "timestamp_out_of_tolerance",
                Webhooks.signedWith(orders(), validBytes, "msg_2", now - 600, TestApp.SECRET)));
        cases.add(http("timestamp ten minutes ahead", 401, "timestamp_out_of_tolerance",
                Webhooks.signedWith(orders(), validBytes, "msg_3", now + 600, TestApp.SECRET)));
        cases.add(http("timestamp not a number", 401, "malformed_timestamp",
                rawHeaders(valid, "msg_4", "yesterday", "v1,AAAA")));
        cases.add(http("signature not base64", 401, "malformed_signature", rawHeaders(valid, "msg_5",
                Long.toString(now), "v1,@@@@")));
        cases.add(http("only a v2 signature", 401, "malformed_signature", rawHeaders(valid, "msg_6",
                Long.toString(now), "v2,AAAA")));
        cases.add(http("replayed under a new webhook-id", 401, "signature_mismatch", withHeader(valid,
                "webhook-signature", Webhooks.signedWith(orders(), validBytes, "msg_original", now, TestApp.SECRET)
                        .build().headers().firstValue("webhook-signature").orElseThrow(), "msg_replay", now)));
        cases.add(http("body tampered after signing", 401, "signature_mismatch", withHeader(valid.replace("100", "900"),
                "webhook-signature", Webhooks.signedWith(orders(), validBytes, "msg_7", now, TestApp.SECRET).build()
                        .headers().firstValue("webhook-signature").orElseThrow(), "msg_7", now)));
        cases.add(http("a Stripe-Signature on a Standard Webhooks endpoint", 401, "missing_signature_headers",
                HttpRequest.newBuilder(orders()).header("Content-Type", "application/json")
                        .header("Stripe-Signature", "t=" + now + ",v1=00")
                        .POST(HttpRequest.BodyPublishers.ofString(valid))));

        // Bodies that are not JSON: 400.
        for (String provider : List.of("stripe", "adyen", "checkout", "Stripe", "ADYEN")) {
            cases.add(signed("an id written as /webhooks/" + provider + " writes its ids", 422, "schema_violation",
                    orders(), valid.replace("\"evt-h\"", "\"" + provider + ":evt-h\"")));
        }
        // Jackson reads an overlong sequence (C0 AF for '/') without a word; the body would be stored re-serialized.
        cases.add(signedBytes("an overlong UTF-8 sequence", 400, "malformed_json", orders(),
                MalformedUtf8.overlongSlashFor(valid.replace("order-h", "order-\u0001h"))));
        cases.add(signed("empty body", 400, "malformed_json", orders(), ""));
        cases.add(signed("not JSON", 400, "malformed_json", orders(), "provider_event_id=1&user_id=2"));
        cases.add(signed("truncated JSON", 400, "malformed_json", orders(), valid.substring(0, 40)));
        cases.add(signed("trailing garbage", 400, "malformed_json", orders(), valid + " {}"));
        cases.add(signed("duplicate keys", 400, "malformed_json", orders(), valid.replace("{",
                "{\"user_id\":\"someone-else\",")));
        cases.add(signedBytes("invalid UTF-8", 400, "malformed_json", orders(),
                new byte[]{'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'}));
        cases.add(signed("nested 5000 deep", 400, "malformed_json", orders(), "[".repeat(5000) + "]".repeat(5000)));

        // JSON that breaks the schema: 422 with the violations.
        cases.add(signed("a JSON array", 422, "schema_violation", orders(), "[" + valid + "]"));
        cases.add(signed("a JSON string", 422, "schema_violation", orders(), "\"paid\""));
        cases.add(signed("JSON null", 422, "schema_violation", orders(), "null"));
        cases.add(signed("an empty object", 422, "schema_violation", orders(), "{}"));
        cases.add(signed("status not allowed", 422, "schema_violation", orders(), valid.replace("\"paid\"", "\"shipped\"")));
        cases.add(signed("negative amount", 422, "schema_violation", orders(), valid.replace(":100", ":-100")));
        cases.add(signed("fractional amount", 422, "schema_violation", orders(), valid.replace(":100", ":100.5")));
        cases.add(signed("amount of 2^53", 422, "schema_violation", orders(), valid.replace(":100",
                ":9007199254740992")));
        cases.add(signed("amount as a string", 422, "schema_violation", orders(), valid.replace(":100", ":\"100\"")));
        cases.add(signed("amount of 1e400", 422, "schema_violation", orders(), valid.replace(":100", ":1e400")));
        cases.add(signed("lower-case currency", 422, "schema_violation", orders(), valid.replace("EUR", "eur")));
        cases.add(signed("four-letter currency", 422, "schema_violation", orders(), valid.replace("EUR", "EURO")));
        cases.add(signed("occurred_at not RFC 3339", 422, "schema_violation", orders(),
                valid.replace("2026-11-20T10:00:00Z", "20/11/2026 10:00")));
        cases.add(signed("occurred_at a date only", 422, "schema_violation", orders(),
                valid.replace("2026-11-20T10:00:00Z", "2026-11-20")));
        cases.add(signed("empty user_id", 422, "schema_violation", orders(), valid.replace("user-h", "")));
        cases.add(signed("user_id of 129 characters", 422, "schema_violation", orders(),
                valid.replace("user-h", "u".repeat(129))));
        cases.add(signed("user_id with a control character", 422, "schema_violation", orders(),
                valid.replace("user-h", "user\\u0007h")));
        cases.add(signed("user_id with a space", 422, "schema_violation", orders(), valid.replace("user-h", "user h")));
        cases.add(signed("provider_event_id a number", 422, "schema_violation", orders(),
                valid.replace("\"evt-h\"", "42")));
        String chargeback = Webhooks.chargeback("evt-c", "order-c", "dp-c", "opened", "2026-11-20T10:00:00Z");
        cases.add(signed("chargeback with an order status", 422, "schema_violation", chargebacks(),
                chargeback.replace("\"opened\"", "\"paid\"")));
        cases.add(signed("chargeback without dispute_id", 422, "schema_violation", chargebacks(),
                chargeback.replace("\"dispute_id\":\"dp-c\",", "")));
        cases.add(signed("an order on the chargeback endpoint", 422, "schema_violation", chargebacks(), valid));

        // Size, media type, method and path.
        cases.add(signedBytes("65 KiB with a Content-Length", 413, "body_too_large", orders(), big));
        cases.add(http("65 KiB chunked", 413, "body_too_large", HttpRequest.newBuilder(orders())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)))));
        cases.add(http("text/plain", 415, "unsupported_media_type", HttpRequest.newBuilder(orders())
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString(valid))));
        cases.add(http("no Content-Type", 415, "unsupported_media_type", HttpRequest.newBuilder(orders())
                .POST(HttpRequest.BodyPublishers.ofString(valid))));
        for (String wildcard : List.of("*/*", "application/*")) {
            cases.add(http("Content-Type " + wildcard, 415, "unsupported_media_type", HttpRequest.newBuilder(orders())
                    .header("Content-Type", wildcard).POST(HttpRequest.BodyPublishers.ofString(valid))));
            cases.add(http("Content-Type " + wildcard + " to Stripe's endpoint", 415, "unsupported_media_type",
                    HttpRequest.newBuilder(app.url("/webhooks/stripe")).header("Content-Type", wildcard)
                            .POST(HttpRequest.BodyPublishers.ofString("{}"))));
        }
        for (String malformed : List.of("json", "application/", ";;", "application/json; charset")) {
            cases.add(http("Content-Type " + malformed + ", no media type", 415, "unsupported_media_type",
                    HttpRequest.newBuilder(orders()).header("Content-Type", malformed)
                            .POST(HttpRequest.BodyPublishers.ofString(valid))));
        }
        cases.add(http("application/xml", 415, "unsupported_media_type", HttpRequest.newBuilder(orders())
                .header("Content-Type", "application/xml").POST(HttpRequest.BodyPublishers.ofString("<a/>"))));
        cases.add(http("GET on a webhook endpoint", 405, "method_not_allowed", HttpRequest.newBuilder(orders()).GET()));
        cases.add(http("PUT on a webhook endpoint", 405, "method_not_allowed", HttpRequest.newBuilder(orders())
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(valid))));
        cases.add(http("DELETE on a webhook endpoint", 405, "method_not_allowed",
                HttpRequest.newBuilder(orders()).DELETE()));
        cases.add(http("an unknown endpoint", 404, "not_found", HttpRequest.newBuilder(app.url("/webhooks/payments/refunds"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(valid))));
        cases.add(http("a path below an endpoint", 404, "not_found", HttpRequest.newBuilder(
                app.url("/webhooks/payments/orders/1")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(valid))));
        cases.add(http("an unknown schema", 404, "schema_not_found",
                HttpRequest.newBuilder(app.url("/schemas/refund")).GET()));

        // Below HTTP's semantics: Jetty refuses these before any resource runs.
        int port = app.url("/").getPort();
        cases.add(raw("a malformed request line", 400, "bad_request", port,
                "GARBAGE\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)));
        cases.add(raw("headers too large", 431, "request_header_fields_too_large", port,
                ("POST /webhooks/payments/orders HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1)));
        cases.add(raw("a URI too long", 414, "uri_too_long", port,
                ("GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1)));
        cases.add(raw("an invalid Content-Length", 400, "bad_request", port,
                "POST /webhooks/payments/orders HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1)));
        // Answered at once, not after waiting for a body the client never sends.
        cases.add(raw("a GET declaring a body it never sends", 404, "order_not_found", port,
                "GET /orders/no-such-order HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1)));
        cases.add(raw("an invalid percent-encoding", 400, "bad_request", port,
                "POST /webhooks/payments/%zz HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"
                        .getBytes(StandardCharsets.ISO_8859_1)));
        for (String method : List.of("TRACE", "FOO")) {
            cases.add(raw(method + " on a webhook endpoint", 405, "method_not_allowed", port, (method
                    + " /webhooks/payments/orders HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1)));
        }
        // The body breaks off after the resource began to read it: the answer is still the resource's 400.
        for (String path : List.of("/webhooks/payments/orders", "/webhooks/stripe")) {
            cases.add(raw("a malformed chunk to " + path, 400, "unreadable_body", port, ("POST " + path
                    + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "zz\r\n").getBytes(StandardCharsets.ISO_8859_1)));
        }
        return cases;
    }

    private URI orders() {
        return app.url("/webhooks/payments/orders");
    }

    private URI chargebacks() {
        return app.url("/webhooks/payments/chargebacks");
    }

    private Case http(String name, int status, String code, HttpRequest.Builder request) {
        return new Case(name, status, code, () -> {
            HttpResponse<String> response = provider.send(request.build());
            return new RawHttp.Answer(response.statusCode(), response.body());
        });
    }

    private Case signed(String name, int status, String code, URI url, String body) {
        return http(name, status, code, provider.signed(url, body));
    }

    private Case signedBytes(String name, int status, String code, URI url, byte[] body) {
        return http(name, status, code, Webhooks.signedWith(url, body, "msg_" + name.hashCode(),
                Instant.now().getEpochSecond(), TestApp.SECRET));
    }

    private static Case raw(String name, int status, String code, int port, byte[] request) {
        return new Case(name, status, code, () -> RawHttp.send(port, request));
    }

    private HttpRequest.Builder without(String body, String header) {
        HttpRequest signed = provider.signed(orders(), body).build();
        HttpRequest.Builder builder = HttpRequest.newBuilder(orders()).POST(HttpRequest.BodyPublishers.ofString(body));
        signed.headers().map().forEach((name, values) -> {
            if (!name.equalsIgnoreCase(header)) {
                values.forEach(value -> builder.header(name, value));
            }
        });
        return builder;
    }

    private HttpRequest.Builder withHeader(String body, String header, String value, String id, long timestamp) {
        return rawHeaders(body, id, Long.toString(timestamp), value);
    }

    private HttpRequest.Builder rawHeaders(String body, String id, String timestamp, String signature) {
        return HttpRequest.newBuilder(orders()).header("Content-Type", "application/json").header("webhook-id", id)
                .header("webhook-timestamp", timestamp).header("webhook-signature", signature)
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (Exception e) {
            return null;
        }
    }
}
