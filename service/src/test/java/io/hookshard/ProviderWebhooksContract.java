package io.hookshard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookshard.support.ProviderFixtures;
import io.hookshard.support.ShardSql;
import io.hookshard.support.TestApp;
import io.hookshard.support.Topics;
import io.hookshard.support.Webhooks;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The providers' own webhooks on real servers, whichever way they are ingested: a Stripe, Adyen or Checkout.com
 * webhook, signed as the provider signs it, ends once in the shard the router names, stored as the provider sent it.
 * Kafka mode and sync mode each run these tests.
 */
abstract class ProviderWebhooksContract {
    static final ObjectMapper JSON = new ObjectMapper();
    final Webhooks http = new Webhooks(TestApp.SECRET);

    abstract TestApp app();

    /** The status of an accepted single event: 202 (stored in Kafka) or 200 (applied). */
    abstract int acceptedStatus();

    /** Waits until everything accepted so far has been applied. */
    abstract void awaitSettled() throws Exception;

    @Test
    void aStripePaymentAndItsDisputeLandOnTheOwnersShardAsStripeSentThem() throws Exception {
        Map<String, String> ids = ids();
        String payment = ProviderFixtures.load("stripe/charge.succeeded.json", ids);

        HttpResponse<String> response = http.send(ProviderFixtures.stripe(url("/webhooks/stripe"), payment));

        assertThat(response.statusCode()).isEqualTo(acceptedStatus());
        assertThat(JSON.readTree(response.body()).get("event_id").asText()).isNotBlank();
        String home = app().shardUrlOf(ids.get("user_id"));
        String order = ids.get("order_id");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(ShardSql.string(home,
                "SELECT status FROM orders WHERE order_id = ?", order)).isEqualTo("paid"));
        assertThat(ShardSql.string(home, "SELECT payload::text FROM order_events WHERE order_id = ?", order))
                .isEqualTo(payment);
        assertThat(ShardSql.count(home, "SELECT count(*) FROM orders WHERE order_id = ? AND user_id = ?"
                + " AND amount_minor = 1999 AND currency = 'EUR'", order, ids.get("user_id"))).isEqualTo(1);

        String dispute = ProviderFixtures.load("stripe/charge.dispute.created.json", with(ids, "event_id",
                Webhooks.randomId("evt")));
        assertThat(http.send(ProviderFixtures.stripe(url("/webhooks/stripe"), dispute)).statusCode())
                .isEqualTo(acceptedStatus());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode view = JSON.readTree(http.get(url("/orders/" + order)).body());
            assertThat(view.get("disputes")).hasSize(1);
            assertThat(view.get("disputes").get(0).get("dispute_id").asText()).isEqualTo(ids.get("dispute_id"));
            assertThat(view.get("disputes").get(0).get("status").asText()).isEqualTo("opened");
        });
        assertThat(ShardSql.string(home, "SELECT payload::text FROM dispute_events WHERE dispute_id = ?",
                ids.get("dispute_id"))).isEqualTo(dispute);
    }

    @Test
    void aStripeEventSentAgainIsStoredOnceEvenWithItsDeliveryCountChanged() throws Exception {
        Map<String, String> ids = ids();
        String first = ProviderFixtures.load("stripe/payment_intent.succeeded.json", ids);
        // Stripe's later attempts carry the count of deliveries still pending, which may have changed.
        String resent = first.replace("\"pending_webhooks\": 1", "\"pending_webhooks\": 2");
        assertThat(resent).isNotEqualTo(first);

        HttpResponse<String> one = http.send(ProviderFixtures.stripe(url("/webhooks/stripe"), first));
        HttpResponse<String> two = http.send(ProviderFixtures.stripe(url("/webhooks/stripe"), first));
        HttpResponse<String> three = http.send(ProviderFixtures.stripe(url("/webhooks/stripe"), resent));

        assertThat(java.util.List.of(one, two, three)).extracting(HttpResponse::statusCode)
                .containsOnly(acceptedStatus());
        String eventId = JSON.readTree(one.body()).get("event_id").asText();
        assertThat(JSON.readTree(two.body()).get("event_id").asText()).isEqualTo(eventId);
        assertThat(JSON.readTree(three.body()).get("event_id").asText()).isEqualTo(eventId);
        String home = app().shardUrlOf(ids.get("user_id"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(ShardSql.count(home,
                "SELECT count(*) FROM order_events WHERE order_id = ?", ids.get("order_id"))).isEqualTo(1));
        awaitSettled();
        assertThat(ShardSql.count(home, "SELECT count(*) FROM order_events WHERE order_id = ?", ids.get("order_id")))
                .isEqualTo(1);
        assertThat(ShardSql.count(home, "SELECT count(*) FROM inbox WHERE event_id = ?::uuid", eventId)).isEqualTo(1);
        assertThat(ShardSql.string(home, "SELECT payload::text FROM order_events WHERE order_id = ?",
                ids.get("order_id"))).isEqualTo(first);
        // Not a conflicting redelivery either: nothing dead-lettered.
        assertThat(Topics.recordCount(app().bootstrapServers(), app().ordersTopic() + ".dlq")).isZero();
    }

    @Test
    void aStripeEventTypeNotMappedIsAnsweredOkAndCounted() throws Exception {
        long before = app().environment().metrics().meter("hookshard.webhooks.stripe.unmapped.customer.created")
                .getCount();

        HttpResponse<String> response = http.send(ProviderFixtures.stripe(url("/webhooks/stripe"),
                ProviderFixtures.load("stripe/customer.created.json", ids())));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).get("status").asText()).isEqualTo("ignored");
        assertThat(app().environment().metrics().meter("hookshard.webhooks.stripe.unmapped.customer.created")
                .getCount()).isEqualTo(before + 1);
    }

    @Test
    void aStripeEventMissingAMappedFieldIs422NamingIt() throws Exception {
        String body = ProviderFixtures.load("stripe/charge.failed.json", ids())
                .replace("\"order_id\": ", "\"order\": ");

        HttpResponse<String> response = http.send(ProviderFixtures.stripe(url("/webhooks/stripe"), body));

        assertThat(response.statusCode()).isEqualTo(422);
        JsonNode error = JSON.readTree(response.body());
        assertThat(error.get("code").asText()).isEqualTo("schema_violation");
        assertThat(error.get("details").get(0).get("pointer").asText()).isEqualTo("/data/object/metadata/order_id");
    }

    @Test
    void anAdyenBatchIsAcceptedOnceEveryItemIsStoredEachAsItsOwnText() throws Exception {
        Map<String, String> ids = ids();
        String authorisation = ProviderFixtures.adyenItem("AUTHORISATION", adyen(ids, "7914" + digits(), "true"));
        String capture = ProviderFixtures.adyenItem("CAPTURE", adyen(ids, "8816" + digits(), "true"));
        String report = ProviderFixtures.adyenItem("REPORT_AVAILABLE", adyen(ids, "8816" + digits(), "true"));
        String chargeback = ProviderFixtures.adyenItem("CHARGEBACK", adyen(ids, "9915" + digits(), "true"));

        HttpResponse<String> response = http.send(ProviderFixtures.adyen(url("/webhooks/adyen"),
                ProviderFixtures.adyenBatch(authorisation, capture, report, chargeback)));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("[accepted]");
        String home = app().shardUrlOf(ids.get("user_id"));
        String order = ids.get("order_id");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(ShardSql.string(home, "SELECT status FROM orders WHERE order_id = ?", order)).isEqualTo("paid");
            assertThat(ShardSql.count(home, "SELECT count(*) FROM disputes WHERE order_id = ?", order)).isEqualTo(1);
        });
        assertThat(ShardSql.string(home, "SELECT string_agg(payload::text, '|' ORDER BY occurred_at) FROM order_events"
                + " WHERE order_id = ?", order)).isEqualTo(authorisation + "|" + capture);
        assertThat(ShardSql.string(home, "SELECT payload::text FROM dispute_events WHERE order_id = ?", order))
                .isEqualTo(chargeback);
    }

    @Test
    void anAdyenBatchWithOneBadItemIsRefusedAndNothingOfItIsStored() throws Exception {
        Map<String, String> ids = ids();
        String good = ProviderFixtures.adyenItem("AUTHORISATION", adyen(ids, "7914" + digits(), "true"));
        String forged = ProviderFixtures.adyenItem("CAPTURE", adyen(ids, "8816" + digits(), "true"))
                .replace("\"value\": 1999", "\"value\": 1");
        String unmappable = ProviderFixtures.adyenItem("CAPTURE", adyen(ids, "8816" + digits(), "true"),
                text -> text.replace("\"shopperReference\"", "\"shopper\""));
        long records = records();

        HttpResponse<String> badSignature = http.send(ProviderFixtures.adyen(url("/webhooks/adyen"),
                ProviderFixtures.adyenBatch(good, forged)));
        HttpResponse<String> badItem = http.send(ProviderFixtures.adyen(url("/webhooks/adyen"),
                ProviderFixtures.adyenBatch(good, unmappable)));

        assertThat(badSignature.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(badSignature.body()).get("details").get(0).get("pointer").asText())
                .isEqualTo("/notificationItems/1/NotificationRequestItem");
        assertThat(badItem.statusCode()).isEqualTo(422);
        assertThat(JSON.readTree(badItem.body()).get("details").get(0).get("pointer").asText())
                .isEqualTo("/notificationItems/1/NotificationRequestItem/additionalData/shopperReference");
        awaitSettled();
        assertThat(records()).isEqualTo(records);
        assertThat(ShardSql.count(app().shardUrlOf(ids.get("user_id")),
                "SELECT count(*) FROM order_events WHERE order_id = ?", ids.get("order_id"))).isZero();
        assertThat(ShardSql.count(app().shardUrlOf(ids.get("order_id")),
                "SELECT count(*) FROM order_directory WHERE order_id = ?", ids.get("order_id"))).isZero();
    }

    @Test
    void aCheckoutPaymentAndDisputeLandOnTheOwnersShard() throws Exception {
        Map<String, String> ids = ids();
        String payment = ProviderFixtures.load("checkout/payment.json", with(ids, "type", "payment_captured"));
        String dispute = ProviderFixtures.load("checkout/dispute.json", with(with(ids, "type", "dispute_won"),
                "event_id", Webhooks.randomId("evt")));

        assertThat(http.send(ProviderFixtures.checkout(url("/webhooks/checkout"), payment)).statusCode())
                .isEqualTo(acceptedStatus());
        String home = app().shardUrlOf(ids.get("user_id"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(ShardSql.string(home,
                "SELECT status FROM orders WHERE order_id = ?", ids.get("order_id"))).isEqualTo("paid"));
        assertThat(http.send(ProviderFixtures.checkout(url("/webhooks/checkout"), dispute)).statusCode())
                .isEqualTo(acceptedStatus());

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(ShardSql.string(home,
                "SELECT status FROM disputes WHERE dispute_id = ?", ids.get("dispute_id"))).isEqualTo("won"));
        assertThat(ShardSql.string(home, "SELECT payload::text FROM order_events WHERE order_id = ?",
                ids.get("order_id"))).isEqualTo(payment);
    }

    /**
     * A provider's event ids are unique only among its own events: Stripe's and Checkout.com's both begin with
     * {@code evt_}, and whoever signs for Hookshard's own endpoint chooses its ids. The same id from each is three
     * events, each stored once for its own order.
     */
    @Test
    void theSameEventIdFromTwoProvidersAndHookshardsOwnEndpointIsThreeEvents() throws Exception {
        String shared = Webhooks.randomId("evt");
        Map<String, String> stripe = with(ids(), "event_id", shared);
        Map<String, String> checkout = with(with(ids(), "event_id", shared), "type", "payment_captured");
        Map<String, String> own = ids();
        String stripeEvent = ProviderFixtures.load("stripe/charge.succeeded.json", stripe);
        String checkoutEvent = ProviderFixtures.load("checkout/payment.json", checkout);
        String ownEvent = Webhooks.order(shared, own.get("user_id"), own.get("order_id"), "paid", 1999,
                "2026-11-20T10:00:00Z");

        assertThat(http.send(ProviderFixtures.stripe(url("/webhooks/stripe"), stripeEvent)).statusCode())
                .isEqualTo(acceptedStatus());
        assertThat(http.send(ProviderFixtures.checkout(url("/webhooks/checkout"), checkoutEvent)).statusCode())
                .isEqualTo(acceptedStatus());
        assertThat(http.post(url("/webhooks/payments/orders"), ownEvent).statusCode()).isEqualTo(acceptedStatus());

        for (Map<String, String> event : List.of(stripe, checkout, own)) {
            String home = app().shardUrlOf(event.get("user_id"));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(ShardSql.string(home,
                    "SELECT status FROM orders WHERE order_id = ?", event.get("order_id"))).isEqualTo("paid"));
            assertThat(ShardSql.count(home, "SELECT count(*) FROM order_events WHERE order_id = ?",
                    event.get("order_id"))).isEqualTo(1);
        }
        assertThat(http.send(ProviderFixtures.stripe(url("/webhooks/stripe"), stripeEvent)).statusCode())
                .as("the Stripe event sent again").isEqualTo(acceptedStatus());
        awaitSettled();
        String home = app().shardUrlOf(stripe.get("user_id"));
        assertThat(ShardSql.count(home, "SELECT count(*) FROM order_events WHERE order_id = ?",
                stripe.get("order_id"))).isEqualTo(1);
    }

    @Test
    void anUnknownProviderIsNotFoundAndABodyThatIsNotJsonUnsupported() throws Exception {
        HttpResponse<String> unknown = http.send(ProviderFixtures.stripe(url("/webhooks/paypal"), "{}"));
        HttpResponse<String> text = http.send(HttpRequest.newBuilder(url("/webhooks/stripe"))
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("{}")).build());

        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(unknown.body()).get("code").asText()).isEqualTo("not_found");
        assertThat(text.statusCode()).isEqualTo(415);
        assertThat(JSON.readTree(text.body()).get("code").asText()).isEqualTo("unsupported_media_type");
    }

    URI url(String path) {
        return app().url(path);
    }

    /** Records ever written to the webhook topics (none in sync mode). */
    long records() throws Exception {
        return Topics.recordCount(app().bootstrapServers(), app().ordersTopic())
                + Topics.recordCount(app().bootstrapServers(), app().disputesTopic());
    }

    static Map<String, String> ids() {
        return Map.of("event_id", Webhooks.randomId("evt"), "user_id", Webhooks.randomId("user"),
                "order_id", Webhooks.randomId("order"), "dispute_id", Webhooks.randomId("dp"), "status", "won");
    }

    static Map<String, String> adyen(Map<String, String> ids, String pspReference, String success) {
        return with(with(with(ids, "psp_reference", pspReference), "success", success), "original_reference",
                "7914000000000000");
    }

    static Map<String, String> with(Map<String, String> values, String name, String value) {
        Map<String, String> copy = new HashMap<>(values);
        copy.put(name, value);
        return copy;
    }

    static String digits() {
        return String.format("%012d", Math.abs(java.util.UUID.randomUUID().getMostSignificantBits() % 1_000_000_000_000L));
    }
}
