package io.hookshard;

import io.hookshard.support.ProviderFixtures;
import io.hookshard.support.ShardSql;
import io.hookshard.support.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Providers' webhooks in sync mode: every event of a request applied to its shard before the answer. */
class ProviderWebhooksSyncModeIT extends ProviderWebhooksContract {
    private static TestApp app;

    @BeforeAll
    static void start() throws Exception {
        app = TestApp.onSharedInfrastructure("ingest.mode=sync").start();
    }

    @AfterAll
    static void stop() {
        app.stop();
    }

    @Override
    TestApp app() {
        return app;
    }

    @Override
    int acceptedStatus() {
        return 200;
    }

    @Override
    void awaitSettled() {
        // applied before the answer
    }

    @Test
    void anAdyenBatchWithAnItemThatCannotBeAppliedYetIsAnswered503AndItsRetryStoresEachItemOnce() throws Exception {
        Map<String, String> first = ids();
        Map<String, String> second = ids();
        String authorisation = ProviderFixtures.adyenItem("AUTHORISATION", adyen(first, "7914" + digits(), "true"));
        // A chargeback on an order not known yet: it cannot be applied now.
        String chargeback = ProviderFixtures.adyenItem("CHARGEBACK", adyen(second, "9915" + digits(), "true"));
        String batch = ProviderFixtures.adyenBatch(authorisation, chargeback);

        HttpResponse<String> early = http.send(ProviderFixtures.adyen(url("/webhooks/adyen"), batch));

        assertThat(early.statusCode()).isEqualTo(503);
        assertThat(early.headers().firstValue("Retry-After")).isPresent();
        assertThat(JSON.readTree(early.body()).get("code").asText()).isEqualTo("order_not_found");

        String order = ProviderFixtures.adyenItem("AUTHORISATION", adyen(second, "7914" + digits(), "true"));
        assertThat(http.send(ProviderFixtures.adyen(url("/webhooks/adyen"), ProviderFixtures.adyenBatch(order)))
                .body()).isEqualTo("[accepted]");
        HttpResponse<String> retry = http.send(ProviderFixtures.adyen(url("/webhooks/adyen"), batch));

        assertThat(retry.statusCode()).isEqualTo(200);
        assertThat(retry.body()).isEqualTo("[accepted]");
        assertThat(ShardSql.count(app.shardUrlOf(first.get("user_id")),
                "SELECT count(*) FROM order_events WHERE order_id = ?", first.get("order_id"))).isEqualTo(1);
        assertThat(ShardSql.count(app.shardUrlOf(second.get("user_id")),
                "SELECT count(*) FROM dispute_events WHERE order_id = ?", second.get("order_id"))).isEqualTo(1);
    }

    @Test
    void aStripeEventSentAgainIsAnsweredDuplicate() throws Exception {
        String event = ProviderFixtures.load("stripe/charge.succeeded.json", ids());

        HttpResponse<String> first = http.send(ProviderFixtures.stripe(url("/webhooks/stripe"), event));
        HttpResponse<String> second = http.send(ProviderFixtures.stripe(url("/webhooks/stripe"), event));

        assertThat(JSON.readTree(first.body()).get("status").asText()).isEqualTo("applied");
        assertThat(JSON.readTree(second.body()).get("status").asText()).isEqualTo("duplicate");
    }
}
