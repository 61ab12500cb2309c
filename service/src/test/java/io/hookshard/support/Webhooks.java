package io.hookshard.support;

import io.hookshard.security.StandardWebhookVerifier;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/** A payment provider, as far as tests need one: builds bodies, signs them and POSTs them. */
public final class Webhooks {
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String secret;

    public Webhooks(String secret) {
        this.secret = secret;
    }

    public static String order(String providerEventId, String userId, String orderId, String status, long amount,
                               String occurredAt) {
        return """
                {"provider_event_id":"%s","user_id":"%s","order_id":"%s","status":"%s","amount_minor":%d,\
                "currency":"EUR","occurred_at":"%s"}""".formatted(providerEventId, userId, orderId, status, amount,
                occurredAt);
    }

    public static String chargeback(String providerEventId, String orderId, String disputeId, String status,
                                    String occurredAt) {
        return """
                {"provider_event_id":"%s","order_id":"%s","dispute_id":"%s","status":"%s","reason":"fraudulent",\
                "amount_minor":1999,"currency":"EUR","occurred_at":"%s"}""".formatted(providerEventId, orderId,
                disputeId, status, occurredAt);
    }

    public static String randomId(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    public HttpResponse<String> post(URI url, String body) throws IOException, InterruptedException {
        return send(signed(url, body).build());
    }

    /** A request signed as the provider would sign it; tests may alter it before sending. */
    public HttpRequest.Builder signed(URI url, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String id = "msg_" + UUID.randomUUID().toString().replace("-", "");
        long timestamp = Instant.now().getEpochSecond();
        return HttpRequest.newBuilder(url)
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("webhook-id", id)
                .header("webhook-timestamp", Long.toString(timestamp))
                .header("webhook-signature", StandardWebhookVerifier.signature(secret, id, timestamp, bytes))
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
    }

    /** A request signed for an explicit id and timestamp, with any secret (as a forger might). */
    public static HttpRequest.Builder signedWith(URI url, byte[] body, String id, long timestamp, String secret) {
        return HttpRequest.newBuilder(url)
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("webhook-id", id)
                .header("webhook-timestamp", Long.toString(timestamp))
                .header("webhook-signature", StandardWebhookVerifier.signature(secret, id, timestamp, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    }

    public HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> get(URI url) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(30)).GET().build());
    }
}
