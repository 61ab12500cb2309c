package io.hookshard;

import io.hookshard.support.ShardSql;
import io.hookshard.support.TestApp;
import io.hookshard.support.TestInfrastructure;
import io.hookshard.support.Webhooks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A move to a shard that already vouches for the buckets (its bucket_ownership contradicts the map) is refused before
 * anything is copied or frozen, and closed: the next move, of other buckets, runs instead of resuming it.
 */
class BucketMoveRefusedIT {
    private static TestApp app;
    private static List<String> shardUrls;
    private final Webhooks provider = new Webhooks(TestApp.SECRET);

    @BeforeAll
    static void start() throws Exception {
        TestApp two = TestApp.onSharedInfrastructure();
        shardUrls = new ArrayList<>(two.shardUrls());
        shardUrls.add(TestInfrastructure.freshDatabase(TestInfrastructure.shared().shards().get(0)));
        app = two.withShards(shardUrls).withConfig("test-config-new-shard.yml").start();
    }

    @AfterAll
    static void stop() {
        app.stop();
    }

    @Test
    void aMoveToAShardThatAlreadyVouchesForTheBucketsIsRefusedAndNotResumedByTheNext() throws Exception {
        ShardSql.execute(shardUrls.get(2), "INSERT INTO bucket_ownership (bucket, state, map_version)"
                + " VALUES (7, 'owned', 1)");

        HttpResponse<String> answer = post("buckets-move?buckets=7&to=shard-c");
        String refused = answer.body();
        assertThat(answer.statusCode()).as(refused).isEqualTo(500);

        assertThat(refused).contains("refused: shard-c already vouches for buckets [7]")
                .contains("nothing was frozen or switched").doesNotContain("resumes it");
        assertThat(ShardSql.count(shardUrls.get(0),
                "SELECT count(*) FROM bucket_ownership WHERE bucket = 7 AND state = 'owned'")).isEqualTo(1);
        assertThat(ShardSql.count(shardUrls.get(0),
                "SELECT count(*) FROM bucket_moves WHERE state = 'aborted' AND detail LIKE 'refused: %'"))
                .isEqualTo(1);

        String next = task("buckets-move?buckets=8&to=shard-c");

        assertThat(next).doesNotContain("resuming move").doesNotContain("refused")
                .contains("switched: buckets [8] are on shard-c");
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(task("bucket-map"))
                .contains("shard-a=[0-7, 9-511]").contains("shard-c=[8]"));
    }

    private String task(String pathAndQuery) throws Exception {
        HttpResponse<String> response = post(pathAndQuery);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }

    private HttpResponse<String> post(String pathAndQuery) throws Exception {
        HttpResponse<String> response = provider.send(HttpRequest.newBuilder(app.adminUrl("/tasks/" + pathAndQuery))
                .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofMinutes(2)).build());
        System.out.println("POST /tasks/" + pathAndQuery + " -> " + response.statusCode() + "\n" + response.body());
        return response;
    }
}
