package io.hookshard.cli;

import io.hookshard.support.ShardSql;
import io.hookshard.support.TestApp;
import net.sourceforge.argparse4j.inf.Namespace;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The {@code load} command's webhooks are accepted, and every one it counts as accepted is stored once. */
class LoadCommandIT {
    private static TestApp app;

    @BeforeAll
    static void start() throws Exception {
        app = TestApp.onSharedInfrastructure().start();
    }

    @AfterAll
    static void stop() {
        app.stop();
    }

    @Test
    void everyWebhookItCountsAsAcceptedIsStoredOnce() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        LoadCommand load = new LoadCommand(Map.of("HOOKSHARD_WEBHOOK_SECRETS", TestApp.SECRET)::get,
                new PrintStream(printed, true, StandardCharsets.UTF_8));

        load.run(null, new Namespace(Map.of("url", app.url("/").toString(), "rate", 60, "seconds", 3,
                "users", 50)));

        String output = printed.toString(StandardCharsets.UTF_8);
        Matcher run = Pattern.compile("provider event ids evt-(\\w+)-N").matcher(output);
        Matcher done = Pattern.compile("done: \\{202=(\\d+)}; (\\d+) order event\\(s\\) and (\\d+) chargeback\\(s\\)"
                + " accepted").matcher(output);
        assertThat(run.find()).as(output).isTrue();
        assertThat(done.find()).as(output).isTrue();
        long orders = Long.parseLong(done.group(2));
        long chargebacks = Long.parseLong(done.group(3));
        assertThat(orders + chargebacks).isEqualTo(Long.parseLong(done.group(1))).isGreaterThanOrEqualTo(150);
        assertThat(chargebacks).isPositive();
        String like = "evt-" + run.group(1) + "-%";
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(List.of(stored("order_events", like),
                stored("dispute_events", like))).as("order and dispute events stored for %s; the load printed: %s",
                like, output).containsExactly(orders, chargebacks));
        assertThat(stored("inbox", like)).isEqualTo(orders + chargebacks);
    }

    private static long stored(String table, String like) {
        long count = 0;
        for (String shard : app.shardUrls()) {
            count += ShardSql.count(shard, "SELECT count(*) FROM " + table + " WHERE provider_event_id LIKE ?", like);
        }
        return count;
    }
}
