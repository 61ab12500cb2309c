package io.hookshard;

import io.hookshard.support.MoveLedger;
import io.hookshard.support.MoveLoad;
import io.hookshard.support.ShardsCli;
import io.hookshard.support.TestApp;
import io.hookshard.support.TestInfrastructure;
import io.hookshard.support.Topics;
import io.hookshard.support.Webhooks;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.hookshard.BucketMoveKillIT.BEFORE_THE_MOVE;
import static io.hookshard.BucketMoveKillIT.CONFIG;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Moves onto a shard that still holds rows of the same buckets from an earlier move, never cleaned up: those rows
 * are stale (the buckets kept taking writes elsewhere since), so a move deletes them before it copies, and its
 * verification passes; but only once every instance has followed the map that moved them away, since an instance
 * still on that map reads them. {@code shards cleanup}, which deletes the rows of buckets a shard moved away, must
 * never take the rows a move is bringing back to that shard, even while that move is killed half-way.
 */
class BucketMoveStaleRowsIT {
    private final Webhooks provider = new Webhooks(TestApp.SECRET);

    @Test
    void movingBucketsStraightBackOntoStaleRowsVerifiesAndNoOrderSeenAnswers404() throws Exception {
        List<String> shards = BucketMoveKillIT.freshShards();
        // A slow follower makes the time an instance reads by the older map long enough for the reader to notice.
        TestApp app = TestApp.onSharedInfrastructure().withShards(shards, "shards.mapRefreshInterval=5s")
                .withConfig(CONFIG).start();
        try {
            MoveLoad load = new MoveLoad(provider, List.of(app::url)).start(4);
            try {
                load.awaitAccepted(BEFORE_THE_MOVE);
                assertThat(task(app, "buckets-move?buckets=0-255&to=shard-c")).contains("switched");
                load.awaitAccepted(2 * BEFORE_THE_MOVE);
                assertThat(task(app, "buckets-move?buckets=0-255&to=shard-a")).contains("switched");
                // At once: shard-c keeps its copy of 0-255 (no cleanup), stale from now on, and read by instances
                // until they follow the map that moved the buckets back.
                String again = task(app, "buckets-move?buckets=0-255&to=shard-c");
                assertThat(again).contains("waiting")
                        .containsPattern("deleted \\d+ stale row\\(s\\) of these buckets on shard-c")
                        .contains("verified").doesNotContain("verification found differences")
                        .contains("switched: buckets [0-255] are on shard-c (map version 4)");
                Thread.sleep(2_000);
            } finally {
                load.stop();
            }
            assertEverythingWhereTheMapSays(app, load, shards);
        } finally {
            app.stop();
        }
    }

    /**
     * Buckets moved to shard-c and back, the move back SIGKILLed once the map names shard-a again but before shard-a
     * vouches for them: shard-a still holds the tombstone of the first move, and a cleanup run then must leave the
     * rows just copied there alone (and refuses to run at all while the mover runs). The move run again finishes
     * with nothing lost.
     */
    @Test
    void cleanupLeavesAloneTheRowsOfAKilledMoveBackOntoAShardThatMovedThemAway() throws Exception {
        List<String> shards = BucketMoveKillIT.freshShards();
        Path dir = TestInfrastructure.newTempDirectory("hookshard-move-stale-");
        TestApp app = TestApp.onSharedInfrastructure().withShards(shards).withConfig(CONFIG).start();
        try {
            MoveLoad load = new MoveLoad(provider, List.of(app::url)).start(4);
            try {
                load.awaitAccepted(BEFORE_THE_MOVE);
                assertThat(task(app, "buckets-move?buckets=0-255&to=shard-c")).contains("switched");
                load.awaitAccepted(2 * BEFORE_THE_MOVE);
                ShardsCli back = ShardsCli.start(shards, CONFIG, dir.resolve("move-back.out"),
                        List.of("-Dhookshard.move.holdAt=published"), "move", "--buckets", "0-255", "--to",
                        "shard-a");
                back.awaitOutput("holding after published", Duration.ofMinutes(2));
                ShardsCli beside = ShardsCli.start(shards, CONFIG, dir.resolve("cleanup-refused.out"), List.of(),
                        "cleanup", "--grace", "0s");
                assertThat(beside.awaitExit(Duration.ofMinutes(2))).as(beside.output()).isNotZero();
                assertThat(beside.output()).contains("a bucket move is running");
                back.kill();

                String cleanup = ShardsCli.start(shards, CONFIG, dir.resolve("cleanup.out"), List.of(), "cleanup",
                        "--grace", "0s").awaitSuccess(Duration.ofMinutes(2));
                assertThat(cleanup).contains("leaving buckets [0-255] alone on shard-a: move 2 to it is unfinished")
                        .contains("done");

                String resumed = ShardsCli.start(shards, CONFIG, dir.resolve("move-back-resumed.out"), List.of(),
                        "move", "--buckets", "0-255", "--to", "shard-a").awaitSuccess(Duration.ofMinutes(3));
                assertThat(resumed).contains("resuming move 2").contains("switched: buckets [0-255] are on shard-a");
                Thread.sleep(2_000);
            } finally {
                load.stop();
            }
            assertEverythingWhereTheMapSays(app, load, shards);
        } finally {
            app.stop();
        }
    }

    private static void assertEverythingWhereTheMapSays(TestApp app, MoveLoad load, List<String> shards)
            throws Exception {
        BucketMoveKillIT.awaitDrained(app.bootstrapServers(), app.configuration().getConsumers().getGroupId(),
                app.ordersTopic(), app.disputesTopic());
        BucketMoveKillIT.cleanUp(shards);
        assertThat(load.violations()).isEmpty();
        new MoveLedger(BucketMoveKillIT.urlsById(shards)).assertEveryAcceptedEventStoredOnceWhereTheMapSays(load);
        assertThat(Topics.recordCount(app.bootstrapServers(), app.ordersTopic() + ".dlq")).isZero();
        assertThat(Topics.recordCount(app.bootstrapServers(), app.disputesTopic() + ".dlq")).isZero();
    }

    private String task(TestApp app, String pathAndQuery) throws Exception {
        HttpResponse<String> response = provider.send(HttpRequest.newBuilder(app.adminUrl("/tasks/" + pathAndQuery))
                .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofMinutes(3)).build());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }
}
