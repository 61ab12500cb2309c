package io.hookshard;

import io.hookshard.support.ShardSql;
import io.hookshard.support.TestApp;
import io.hookshard.support.Topics;
import io.hookshard.support.Webhooks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** Sync mode: the same API, each webhook applied to its shard in the request and answered 200 after the commit. */
class SyncModeApiIT extends WebhookApiContract {
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
    void answersAppliedThenDuplicateAndTheRowIsThereWhenAnswered() throws Exception {
        String user = Webhooks.randomId("user");
        String order = Webhooks.randomId("order");
        String body = Webhooks.order(Webhooks.randomId("evt"), user, order, "paid", 10, "2026-11-20T10:00:00Z");

        HttpResponse<String> first = provider.post(app.url("/webhooks/payments/orders"), body);
        assertThat(ShardSql.count(shardUrlOf(user), "SELECT count(*) FROM orders WHERE order_id = ?", order))
                .isEqualTo(1);
        HttpResponse<String> second = provider.post(app.url("/webhooks/payments/orders"), body);

        assertThat(JSON.readTree(first.body()).get("status").asText()).isEqualTo("applied");
        assertThat(JSON.readTree(second.body()).get("status").asText()).isEqualTo("duplicate");
        assertThat(Topics.recordCount(app.bootstrapServers(), app.ordersTopic())).isZero();
    }

    @Test
    void answersAChargebackBeforeItsOrder503SoTheProviderRetries() throws Exception {
        HttpResponse<String> early = provider.post(app.url("/webhooks/payments/chargebacks"), Webhooks.chargeback(
                Webhooks.randomId("evt"), Webhooks.randomId("order"), Webhooks.randomId("dispute"), "opened",
                "2026-11-21T10:00:00Z"));

        assertThat(early.statusCode()).isEqualTo(503);
        assertThat(early.headers().firstValue("Retry-After")).isPresent();
        assertThat(JSON.readTree(early.body()).get("code").asText()).isEqualTo("order_not_found");
    }
}
