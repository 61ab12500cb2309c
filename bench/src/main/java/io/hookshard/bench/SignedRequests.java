package io.hookshard.bench;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;

/**
 * Builds the bytes of signed order webhooks (~1 KiB bodies, many users) as a provider would send them. One instance
 * per load thread: the Mac is reused.
 */
final class SignedRequests {
    static final String PADDING = "p".repeat(760);

    private final Mac mac;
    private final String run;
    private final int users;
    private final String host;

    SignedRequests(String secret, String run, int users, int port) {
        try {
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        this.run = run;
        this.users = users;
        this.host = "127.0.0.1:" + port;
    }

    static String body(String run, long i, int users) {
        return body(run, i, "user-" + (i % users));
    }

    static String body(String run, long i, String user) {
        return "{\"provider_event_id\":\"evt-" + run + "-" + i + "\",\"user_id\":\"" + user
                + "\",\"order_id\":\"order-" + run + "-" + i + "\",\"status\":\"paid\",\"amount_minor\":" + (100 + i % 9000)
                + ",\"currency\":\"EUR\",\"occurred_at\":\"2026-11-20T10:00:00Z\",\"note\":\"" + PADDING + "\"}";
    }

    byte[] request(long i) {
        byte[] body = body(run, i, users).getBytes(StandardCharsets.UTF_8);
        String id = "msg_" + run + "_" + i;
        String timestamp = Long.toString(System.currentTimeMillis() / 1000);
        mac.update(id.getBytes(StandardCharsets.UTF_8));
        mac.update((byte) '.');
        mac.update(timestamp.getBytes(StandardCharsets.UTF_8));
        mac.update((byte) '.');
        String signature = Base64.getEncoder().encodeToString(mac.doFinal(body));
        byte[] head = ("POST /webhooks/payments/orders HTTP/1.1\r\nHost: " + host
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                + "\r\nwebhook-id: " + id + "\r\nwebhook-timestamp: " + timestamp
                + "\r\nwebhook-signature: v1," + signature + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] request = new byte[head.length + body.length];
        System.arraycopy(head, 0, request, 0, head.length);
        System.arraycopy(body, 0, request, head.length, body.length);
        return request;
    }
}
