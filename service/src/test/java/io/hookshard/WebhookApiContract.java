package io.hookshard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookshard.support.ShardSql;
import io.hookshard.support.TestApp;
import io.hookshard.support.Topics;
import io.hookshard.support.Webhooks;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The webhook API on real servers, whichever way webhooks are ingested: a signed webhook ends, once, in the shard
 * the router names, and the read API shows it. Kafka mode and sync mode each run these tests.
 */
abstract class WebhookApiContract {
    static final ObjectMapper JSON = new ObjectMapper();
    final Webhooks provider = new Webhooks(TestApp.SECRET);

    abstract TestApp app();

    /** The status of an accepted webhook: 202 (stored in Kafka) or 200 (applied). */
    abstract int acceptedStatus();

    /** Waits until everything accepted so far has been applied. */
    abstract void awaitSettled() throws Exception;

    @Test
    void acceptedOrderLandsOnceInTheShardTheRouterNames() throws Exception {
        String user = Webhooks.randomId("user");
        String order = Webhooks.randomId("order");

        HttpResponse<String> response = provider.post(app().url("/webhooks/payments/orders"),
                Webhooks.order(Webhooks.randomId("evt"), user, order, "paid", 1999, "2026-11-20T10:00:00Z"));

        assertThat(response.statusCode()).isEqualTo(acceptedStatus());
        assertThat(JSON.readTree(response.body()).get("event_id").asText()).isNotBlank();
        String home = shardUrlOf(user);
        String other = otherShardUrl(home);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(ShardSql.count(home, "SELECT count(*) FROM orders WHERE order_id = ?", order)).isEqualTo(1));
        assertThat(ShardSql.string(home, "SELECT user_id FROM orders WHERE order_id = ?", order)).isEqualTo(user);
        assertThat(ShardSql.count(home, "SELECT count(*) FROM order_events WHERE order_id = ?", order)).isEqualTo(1);
        assertThat(ShardSql.count(other, "SELECT count(*) FROM orders WHERE order_id = ?", order)).isZero();
        assertThat(ShardSql.count(shardUrlOf(order), "SELECT count(*) FROM order_directory WHERE order_id = ?",
                order)).isEqualTo(1);
    }

    @Test
    void aWebhookIsTakenWhateverItsAcceptHeaderSays() throws Exception {
        String user = Webhooks.randomId("user");
        String order = Webhooks.randomId("order");
        String body = Webhooks.order(Webhooks.randomId("evt"), user, order, "paid", 1999, "2026-11-20T10:00:00Z");

        HttpResponse<String> response = provider.send(provider.signed(app().url("/webhooks/payments/orders"), body)
                .header("Accept", "application/xml").build());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(acceptedStatus());
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
                assertThat(type).startsWith("application/json"));
        assertThat(JSON.readTree(response.body()).get("event_id").asText()).isNotBlank();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(ShardSql.count(shardUrlOf(user),
                "SELECT count(*) FROM orders WHERE order_id = ?", order)).isEqualTo(1));
    }

    @Test
    void storesThePayloadAsTheProviderSentIt() throws Exception {
        String user = Webhooks.randomId("user");
        String order = Webhooks.randomId("order");
        // Pretty-printed, keys in the provider's order, an escaped quote and tab, a number as written, extra fields.
        String body = """
                {
                  "status": "paid",
                  "order_id": "%s", "user_id": "%s",
                  "provider_event_id": "%s",
                  "amount_minor": 1999, "currency": "EUR", "occurred_at": "2026-11-20T10:00:00.000+00:00",
                  "meta": {"note": "say \\"hi\\"\\t", "ratio": 1.50, "tags": []}
                }""".formatted(order, user, Webhooks.randomId("evt"));

        HttpResponse<String> response = provider.post(app().url("/webhooks/payments/orders"), "\n " + body + "\n");

        assertThat(response.statusCode()).isEqualTo(acceptedStatus());
        String home = shardUrlOf(user);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                ShardSql.count(home, "SELECT count(*) FROM order_events WHERE order_id = ?", order)).isEqualTo(1));
        assertThat(ShardSql.string(home, "SELECT payload::text FROM order_events WHERE order_id = ?", order))
                .isEqualTo(body);
    }

    @Test
    void sameEventPostedThreeTimesIsStoredOnce() throws Exception {
        String user = Webhooks.randomId("user");
        String order = Webhooks.randomId("order");
        String body = Webhooks.order(Webhooks.randomId("evt"), user, order, "authorized", 500, "2026-11-20T10:00:00Z");

        List<String> eventIds = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> response = provider.post(app().url("/webhooks/payments/orders"), body);
            assertThat(response.statusCode()).isEqualTo(acceptedStatus());
            eventIds.add(JSON.readTree(response.body()).get("event_id").asText());
        }

        assertThat(eventIds).containsOnly(eventIds.get(0));
        String home = shardUrlOf(user);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                ShardSql.count(home, "SELECT count(*) FROM orders WHERE order_id = ?", order)).isEqualTo(1));
        // Only once all three copies have been applied is "once" meaningful.
        awaitSettled();
        assertThat(ShardSql.count(home, "SELECT count(*) FROM order_events WHERE order_id = ?", order)).isEqualTo(1);
        assertThat(ShardSql.count(home, "SELECT count(*) FROM inbox WHERE event_id = ?::uuid", eventIds.get(0)))
                .isEqualTo(1);
    }

    @Test
    void chargebackLandsWithItsOrderOnTheOwnersShard() throws Exception {
        String user = Webhooks.randomId("user");
        String order = Webhooks.randomId("order");
        String dispute = Webhooks.randomId("dispute");
        assertThat(provider.post(app().url("/webhooks/payments/orders"), Webhooks.order(Webhooks.randomId("evt"), user,
                order, "paid", 1999, "2026-11-20T10:00:00Z")).statusCode()).isEqualTo(acceptedStatus());
        await().atMost(Duration.ofSeconds(30)).until(() -> provider.get(app().url("/orders/" + order)).statusCode() == 200);

        assertThat(provider.post(app().url("/webhooks/payments/chargebacks"), Webhooks.chargeback(
                Webhooks.randomId("evt"), order, dispute, "opened", "2026-11-21T10:00:00Z")).statusCode()).isEqualTo(acceptedStatus());

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode view = JSON.readTree(provider.get(app().url("/orders/" + order)).body());
            assertThat(view.get("disputes")).hasSize(1);
            assertThat(view.get("disputes").get(0).get("dispute_id").asText()).isEqualTo(dispute);
        });
        assertThat(ShardSql.count(shardUrlOf(user), "SELECT count(*) FROM disputes WHERE dispute_id = ?", dispute))
                .isEqualTo(1);
        assertThat(ShardSql.string(shardUrlOf(user), "SELECT user_id FROM disputes WHERE dispute_id = ?", dispute))
                .isEqualTo(user);
    }

    @Test
    void aDisputeIdGivenToChargebacksOfTwoOrdersLeavesEachOrderItsOwnDispute() throws Exception {
        String user = Webhooks.randomId("user");
        String first = Webhooks.randomId("order");
        String second = Webhooks.randomId("order");
        String dispute = Webhooks.randomId("dispute");
        for (String order : List.of(first, second)) {
            assertThat(provider.post(app().url("/webhooks/payments/orders"), Webhooks.order(Webhooks.randomId("evt"),
                    user, order, "paid", 1999, "2026-11-20T10:00:00Z")).statusCode()).isEqualTo(acceptedStatus());
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> provider.get(app().url("/orders/" + first)).statusCode()
                == 200 && provider.get(app().url("/orders/" + second)).statusCode() == 200);

        assertThat(provider.post(app().url("/webhooks/payments/chargebacks"), Webhooks.chargeback(
                Webhooks.randomId("evt"), first, dispute, "opened", "2026-11-21T10:00:00Z")).statusCode())
                .isEqualTo(acceptedStatus());
        assertThat(provider.post(app().url("/webhooks/payments/chargebacks"), Webhooks.chargeback(
                Webhooks.randomId("evt"), second, dispute, "lost", "2026-11-22T10:00:00Z")).statusCode())
                .isEqualTo(acceptedStatus());

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode ofSecond = JSON.readTree(provider.get(app().url("/orders/" + second)).body());
            assertThat(ofSecond.get("disputes")).hasSize(1);
            assertThat(ofSecond.get("disputes").get(0).get("status").asText()).isEqualTo("lost");
        });
        JsonNode ofFirst = JSON.readTree(provider.get(app().url("/orders/" + first)).body());
        assertThat(ofFirst.get("disputes")).hasSize(1);
        assertThat(ofFirst.get("disputes").get(0).get("dispute_id").asText()).isEqualTo(dispute);
        assertThat(ofFirst.get("disputes").get(0).get("status").asText()).isEqualTo("opened");
        assertThat(ShardSql.count(shardUrlOf(user), "SELECT count(*) FROM disputes WHERE dispute_id = ?", dispute))
                .isEqualTo(2);
    }

    @Test
    void readApiShowsTheOrderItsEventsAndTheUsersOrders() throws Exception {
        String user = Webhooks.randomId("user");
        String order = Webhooks.randomId("order");
        provider.post(app().url("/webhooks/payments/orders"), Webhooks.order(Webhooks.randomId("evt"), user, order,
                "authorized", 700, "2026-11-20T10:00:00Z"));
        provider.post(app().url("/webhooks/payments/orders"), Webhooks.order(Webhooks.randomId("evt"), user, order,
                "paid", 700, "2026-11-20T10:05:00Z"));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode view = JSON.readTree(provider.get(app().url("/orders/" + order)).body());
            assertThat(view.get("status").asText()).isEqualTo("paid");
            assertThat(view.get("events")).hasSize(2);
        });
        JsonNode view = JSON.readTree(provider.get(app().url("/orders/" + order)).body());
        assertThat(view.get("user_id").asText()).isEqualTo(user);
        assertThat(view.get("amount_minor").asLong()).isEqualTo(700);
        assertThat(view.get("currency").asText()).isEqualTo("EUR");
        assertThat(view.get("events").get(0).get("status").asText()).isEqualTo("authorized");

        JsonNode list = JSON.readTree(provider.get(app().url("/users/" + user + "/orders")).body());
        assertThat(list).hasSize(1);
        assertThat(list.get(0).get("order_id").asText()).isEqualTo(order);
        assertThat(JSON.readTree(provider.get(app().url("/users/nobody-" + UUID.randomUUID() + "/orders")).body()))
                .isEmpty();
        HttpResponse<String> missing = provider.get(app().url("/orders/no-such-order"));
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(missing.body()).get("code").asText()).isEqualTo("order_not_found");
    }

    @Test
    void idsAPathCannotCarryAreReadByQueryParameter() throws Exception {
        String user = Webhooks.randomId("user/a%b");
        String order = Webhooks.randomId("order/a%b");
        assertThat(provider.post(app().url("/webhooks/payments/orders"), Webhooks.order(Webhooks.randomId("evt"),
                user, order, "paid", 700, "2026-11-20T10:00:00Z")).statusCode()).isBetween(200, 202);

        URI byOrder = app().url("/orders?order_id=" + URLEncoder.encode(order, StandardCharsets.UTF_8));
        await().atMost(Duration.ofSeconds(30)).until(() -> provider.get(byOrder).statusCode() == 200);
        JsonNode view = JSON.readTree(provider.get(byOrder).body());
        assertThat(view.get("order_id").asText()).isEqualTo(order);
        assertThat(view.get("user_id").asText()).isEqualTo(user);
        JsonNode list = JSON.readTree(provider.get(app().url("/users/orders?user_id="
                + URLEncoder.encode(user, StandardCharsets.UTF_8))).body());
        assertThat(list).hasSize(1);
        assertThat(list.get(0).get("order_id").asText()).isEqualTo(order);
        HttpResponse<String> twice = provider.get(app().url("/orders?order_id=a&order_id=b"));
        assertThat(twice.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(twice.body()).get("code").asText()).isEqualTo("repeated_parameter");
        HttpResponse<String> unnamed = provider.get(app().url("/orders"));
        assertThat(unnamed.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(unnamed.body()).get("code").asText()).isEqualTo("missing_parameter");
        // An id no webhook could have given names nothing: PostgreSQL would refuse a NUL in the query.
        HttpResponse<String> nul = provider.get(app().url("/orders?order_id=%00"));
        assertThat(nul.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(nul.body()).get("code").asText()).isEqualTo("order_not_found");
        assertThat(JSON.readTree(provider.get(app().url("/users/orders?user_id=%00")).body())).isEmpty();
    }

    @Test
    void anIdWithASemicolonIsNeverReadAsAnotherOrder() throws Exception {
        String user = Webhooks.randomId("user");
        String order = Webhooks.randomId("order");
        String semicolon = order + ";x=1";
        for (String id : List.of(order, semicolon)) {
            assertThat(provider.post(app().url("/webhooks/payments/orders"), Webhooks.order(Webhooks.randomId("evt"),
                    id.equals(order) ? user : user + ";x", id, "paid", id.equals(order) ? 100 : 200,
                    "2026-11-20T10:00:00Z")).statusCode()).isBetween(200, 202);
        }
        URI encoded = app().url("/orders/" + order + "%3Bx=1");
        await().atMost(Duration.ofSeconds(30)).until(() -> provider.get(encoded).statusCode() == 200);

        assertThat(JSON.readTree(provider.get(encoded).body()).get("amount_minor").asLong()).isEqualTo(200);
        assertThat(JSON.readTree(provider.get(app().url("/orders?order_id="
                + URLEncoder.encode(semicolon, StandardCharsets.UTF_8))).body()).get("amount_minor").asLong())
                .isEqualTo(200);
        // Matrix parameters would cut the id short at the ';': refused, not answered with the other order.
        for (String path : List.of("/orders/" + semicolon, "/users/" + user + ";x/orders")) {
            HttpResponse<String> ambiguous = provider.get(app().url(path));
            assertThat(ambiguous.statusCode()).as(path).isEqualTo(400);
            assertThat(JSON.readTree(ambiguous.body()).get("code").asText()).isEqualTo("ambiguous_path");
        }
    }

    @Test
    void refusesWhatTheShardsCannotStoreWith422AndKeepsNothing() throws Exception {
        String user = Webhooks.randomId("user");
        String order = Webhooks.randomId("order");
        String evt = Webhooks.randomId("evt");
        String okOrder = Webhooks.order(evt, user, order, "paid", 1, "2026-11-20T10:00:00Z");
        String okChargeback = Webhooks.chargeback(evt, order, Webhooks.randomId("dispute"), "opened",
                "2026-11-20T10:00:00Z");
        // body -> the pointer the 422 must name; each would otherwise fail on the shard, be stored altered, or be
        // stored as json that PostgreSQL's json functions refuse to read (see db/PostgresLimitsIT).
        List<String[]> orders = List.of(
                new String[] {okOrder.replace("2026-11-20T10:00:00Z", "2016-12-31T23:59:60Z"), "/occurred_at"},
                new String[] {okOrder.replace("2026-11-20T10:00:00Z", "0000-01-01T00:00:00Z"), "/occurred_at"},
                new String[] {okOrder.replace("2026-11-20T10:00:00Z", "0001-01-01T00:30:00+01:00"), "/occurred_at"},
                new String[] {okOrder.replace("2026-11-20T10:00:00Z", "9999-12-31T23:30:00-01:00"), "/occurred_at"},
                new String[] {okOrder.replace(evt, evt + "\\u0000"), "/provider_event_id"},
                new String[] {okOrder.replace("}", ",\"note\":\"\\ud800\"}"), "/note"},
                new String[] {okOrder.replace("}", ",\"note\":{\"x\":[\"\\udc00\\ud800\"]}}"), "/note/x/0"},
                new String[] {okOrder.replace("}", ",\"note\":\"\\ud83d\\u0041\"}"), "/note"});
        List<String[]> chargebacks = List.of(
                new String[] {okChargeback.replace("2026-11-20T10:00:00Z", "2017-01-01T00:59:60+01:00"),
                        "/occurred_at"},
                new String[] {okChargeback.replace("fraudulent", "fraud\\u0000ulent"), "/reason"},
                new String[] {okChargeback.replace("fraudulent", "fraud\\ud800"), "/reason"},
                new String[] {okChargeback.replace("\"dispute_id\":\"", "\"dispute_id\":\"\\u0000"), "/dispute_id"});

        List<String> mismatches = new ArrayList<>();
        for (String[] refused : orders) {
            check(provider.post(app().url("/webhooks/payments/orders"), refused[0]), refused, mismatches);
        }
        for (String[] refused : chargebacks) {
            check(provider.post(app().url("/webhooks/payments/chargebacks"), refused[0]), refused, mismatches);
        }
        // A body in UTF-32 (which JSON parsers accept) can carry a lone surrogate as a raw character.
        String[] raw = {okOrder.replace("}", ",\"note\":\"\uD800\"}"), "/note"};
        check(provider.send(Webhooks.signedWith(app().url("/webhooks/payments/orders"), utf32(raw[0]),
                "msg_" + UUID.randomUUID().toString().replace("-", ""), System.currentTimeMillis() / 1000,
                TestApp.SECRET).build()), raw, mismatches);

        assertThat(mismatches).isEmpty();
        assertThat(Topics.recordsWithKey(app().bootstrapServers(), app().ordersTopic(), user)).isZero();
        assertThat(Topics.recordsWithKey(app().bootstrapServers(), app().disputesTopic(), order)).isZero();
        for (String shard : app().shardUrls()) {
            assertThat(ShardSql.count(shard, "SELECT count(*) FROM inbox WHERE provider_event_id LIKE ?", evt + "%"))
                    .isZero();
            assertThat(ShardSql.count(shard, "SELECT count(*) FROM order_events WHERE user_id = ?", user)).isZero();
        }
    }

    @Test
    void acceptsAndStoresTheEdgesOfWhatTheShardsCanHold() throws Exception {
        String user = Webhooks.randomId("user");
        String first = Webhooks.randomId("order");
        String last = Webhooks.randomId("order");
        // Year 0001 once in UTC; an escaped NUL, an escaped surrogate pair and a raw one, which json keeps.
        String early = Webhooks.order(Webhooks.randomId("evt"), user, first, "paid", 1, "0001-01-01T00:30:00+00:30")
                .replace("}", ",\"note\":\"\\u0000 \\ud83d\\ude00 \uD83D\uDE00\"}");
        String late = Webhooks.order(Webhooks.randomId("evt"), user, last, "paid", 1, "9999-12-31T23:59:59.9999999Z");

        assertThat(provider.post(app().url("/webhooks/payments/orders"), early).statusCode())
                .isEqualTo(acceptedStatus());
        assertThat(provider.post(app().url("/webhooks/payments/orders"), late).statusCode())
                .isEqualTo(acceptedStatus());

        String home = shardUrlOf(user);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                ShardSql.count(home, "SELECT count(*) FROM orders WHERE user_id = ?", user)).isEqualTo(2));
        assertThat(ShardSql.count(home, "SELECT count(*) FROM order_events WHERE order_id = ?"
                + " AND occurred_at = '0001-01-01T00:00:00Z'", first)).isEqualTo(1);
        assertThat(ShardSql.string(home, "SELECT payload::text FROM order_events WHERE order_id = ?", first))
                .isEqualTo(early);
        // Below a microsecond is cut, not rounded as PostgreSQL would: rounding would make it year 10000.
        assertThat(ShardSql.count(home, "SELECT count(*) FROM orders WHERE order_id = ?"
                + " AND last_event_at = '9999-12-31T23:59:59.999999Z'", last)).isEqualTo(1);
    }

    private static void check(HttpResponse<String> response, String[] expected, List<String> mismatches)
            throws Exception {
        JsonNode body = response.statusCode() == 422 ? JSON.readTree(response.body()) : null;
        boolean named = body != null && "schema_violation".equals(body.path("code").asText())
                && body.path("details").findValuesAsText("pointer").contains(expected[1])
                && !body.path("details").get(0).path("message").asText().isBlank();
        if (!named) {
            mismatches.add(expected[0] + ": expected 422 schema_violation at " + expected[1] + ", got "
                    + response.statusCode() + " " + response.body());
        }
    }

    private static byte[] utf32(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (char c : text.toCharArray()) {
            // One code unit per 32-bit unit, as is: Java's UTF-32 encoder would replace the lone surrogate.
            out.writeBytes(new byte[] {0, 0, (byte) (c >> 8), (byte) c});
        }
        return out.toByteArray();
    }

    String shardUrlOf(String key) {
        return app().shardUrlOf(key);
    }

    String otherShardUrl(String url) {
        return app().shardUrls().get(app().shardUrls().get(0).equals(url) ? 1 : 0);
    }
}
