package io.hookshard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookshard.security.StripeSignatureVerifier;
import io.hookshard.support.TestApp;
import io.hookshard.support.Webhooks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Properties: whatever bytes or JSON a client sends, signed or not, the answer is never a 5xx and always JSON; and
 * every webhook answered 2xx, however hostile its valid body, is stored once, as sent, on its shard, while every
 * refused one leaves no trace (see {@link HostileCorpus} and {@link IngestTrail}).
 */
class IngestFuzzIT {
    private static final Logger LOG = LoggerFactory.getLogger(IngestFuzzIT.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Fixed, so that a failure can be replayed; another with -Dhookshard.fuzz.seed=N. */
    private static final long SEED = Long.getLong("hookshard.fuzz.seed", 20261124L);
    private static final String[] FIELDS = {"provider_event_id", "user_id", "order_id", "dispute_id", "status",
            "reason", "amount_minor", "currency", "occurred_at", "extra", ""};
    private static TestApp app;
    private final Webhooks provider = new Webhooks(TestApp.SECRET);

    @BeforeAll
    static void start() throws Exception {
        // The chargeback endpoint speaks Stripe's scheme here: per-endpoint choice.
        app = TestApp.onSharedInfrastructure("webhooks.chargebacksScheme=stripe").start();
    }

    @AfterAll
    static void stop() {
        app.stop();
    }

    @Test
    void randomBytesNeverMakeA5xx() throws Exception {
        Random random = new Random(20261123L);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            byte[] body = new byte[random.nextInt(2048)];
            random.nextBytes(body);
            URI url = random.nextBoolean() ? orders() : chargebacks();
            HttpRequest request = random.nextBoolean()
                    ? Webhooks.signedWith(url, body, "msg_" + i, Instant.now().getEpochSecond(), TestApp.SECRET).build()
                    : HttpRequest.newBuilder(url).header("Content-Type", random.nextBoolean() ? "application/json"
                    : "application/octet-stream").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            try {
                check(provider.send(request), "bytes #" + i, failures);
            } catch (java.io.IOException e) {
                failures.add("bytes #" + i + " " + request.headers().map() + " len " + body.length + ": " + e);
            }
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void randomJsonNeverMakesA5xx() throws Exception {
        Random random = new Random(42L);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String body = randomValue(random, 0, true);
            check(provider.post(orders(), body), "json #" + i + " " + body, failures);
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void stripeSignedChargebacksAreAcceptedOnTheStripeEndpointAndOthersAreNot() throws Exception {
        String order = Webhooks.randomId("order");
        assertThat(provider.post(orders(), Webhooks.order(Webhooks.randomId("evt"), "user-stripe", order, "paid", 1,
                "2026-11-20T10:00:00Z")).statusCode()).isEqualTo(202);
        byte[] chargeback = Webhooks.chargeback(Webhooks.randomId("evt"), order, "dp-stripe", "opened",
                "2026-11-21T10:00:00Z").getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> stripe = provider.send(HttpRequest.newBuilder(chargebacks())
                .header("Content-Type", "application/json")
                .header("Stripe-Signature", StripeSignatureVerifier.header(TestApp.SECRET, Instant.now().getEpochSecond(),
                        chargeback))
                .POST(HttpRequest.BodyPublishers.ofByteArray(chargeback)).build());
        HttpResponse<String> standard = provider.send(Webhooks.signedWith(chargebacks(), chargeback, "msg_s",
                Instant.now().getEpochSecond(), TestApp.SECRET).build());

        assertThat(stripe.statusCode()).isEqualTo(202);
        assertThat(standard.statusCode()).isEqualTo(401);
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            JsonNode view = JSON.readTree(provider.get(app.url("/orders/" + order)).body());
            return view.has("disputes") && view.get("disputes").size() == 1;
        });
    }

    @Test
    void everyWebhookAnswered202IsStoredOnceOnItsShardAsSentAndEveryRefusalLeavesNoTrace() throws Exception {
        try (TestApp kafka = TestApp.onSharedInfrastructure().start()) {
            follow(kafka, false);
        }
    }

    @Test
    void everyWebhookAnswered200InSyncModeIsStoredOnceOnItsShardAsSentAndEveryRefusalLeavesNoTrace()
            throws Exception {
        try (TestApp sync = TestApp.onSharedInfrastructure("ingest.mode=sync").start()) {
            follow(sync, true);
        }
    }

    private static void follow(TestApp target, boolean sync) throws Exception {
        LOG.info("hostile corpus seed {} ({} mode)", SEED, sync ? "sync" : "kafka");
        IngestTrail trail = new IngestTrail(target, sync);
        trail.send(HostileCorpus.generate(SEED, 130));
        trail.awaitSettled(Duration.ofSeconds(40));
        trail.check();
        LOG.info("hostile corpus seed {}: {}", SEED, trail.summary());
        assertThat(trail.failures()).as("seed %d: %s", SEED, trail.summary()).isEmpty();
        // The corpus must really exercise both sides.
        assertThat(trail.acceptedEvents()).isGreaterThan(250);
        assertThat(trail.refused()).isGreaterThan(30);
    }

    private static void check(HttpResponse<String> response, String what, List<String> failures) {
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (Exception e) {
            body = null;
        }
        boolean jsonError = response.statusCode() < 300 || body != null && body.has("code");
        if (response.statusCode() >= 500 || !jsonError) {
            failures.add(what + " -> " + response.statusCode() + " " + response.body());
        }
    }

    /** Random JSON, biased towards the webhook's own field names so it reaches the schema checks. */
    private static String randomValue(Random random, int depth, boolean object) {
        int kind = object ? 0 : random.nextInt(depth > 3 ? 6 : 8);
        return switch (kind) {
            case 0 -> {
                List<String> members = new ArrayList<>();
                for (int i = random.nextInt(9); i > 0; i--) {
                    members.add(JSON.valueToTree(FIELDS[random.nextInt(FIELDS.length)]) + ":"
                            + randomValue(random, depth + 1, false));
                }
                yield "{" + String.join(",", members) + "}";
            }
            case 1 -> String.valueOf(random.nextLong());
            case 2 -> String.valueOf(random.nextDouble() * Math.pow(10, random.nextInt(40)));
            case 3 -> JSON.valueToTree(randomText(random)).toString();
            case 4 -> random.nextBoolean() ? "true" : "null";
            case 5 -> JSON.valueToTree(List.of("paid", "opened", "EUR", "2026-11-20T10:00:00Z", "x").get(
                    random.nextInt(5))).toString();
            case 6 -> "[" + randomValue(random, depth + 1, false) + "," + randomValue(random, depth + 1, false) + "]";
            default -> randomValue(random, depth + 1, true);
        };
    }

    private static String randomText(Random random) {
        StringBuilder text = new StringBuilder();
        for (int i = random.nextInt(40); i > 0; i--) {
            text.appendCodePoint(random.nextInt(4) == 0 ? random.nextInt(0x2FFF) : 0x20 + random.nextInt(0x5F));
        }
        return text.toString();
    }

    private URI orders() {
        return app.url("/webhooks/payments/orders");
    }

    private URI chargebacks() {
        return app.url("/webhooks/payments/chargebacks");
    }
}
