package io.hookshard;

import io.hookshard.db.ShardDatabases;
import io.hookshard.move.BucketCleanup;
import io.hookshard.support.ConsumerLag;
import io.hookshard.support.MoveLedger;
import io.hookshard.support.MoveLoad;
import io.hookshard.support.ShardSql;
import io.hookshard.support.ShardsCli;
import io.hookshard.support.TestApp;
import io.hookshard.support.TestInfrastructure;
import io.hookshard.support.Topics;
import io.hookshard.support.Webhooks;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The mover, {@code shards move} run as an operator runs it (a JVM of its own), SIGKILLed at each step of a move of
 * half of shard-a's buckets to a new shard-c while orders and chargebacks keep arriving; then the same move is run
 * again, resumes and finishes. While a killed move's buckets are frozen their records wait: nothing is written in
 * them, while the source's other buckets flow. In the end every accepted event is stored once, on the shard the
 * final map names, no order seen answers 404, and nothing is dead-lettered. The kill points are made exact by the
 * mover's test hook ({@code -Dhookshard.move.holdAt}, see {@code MoveHold}).
 */
class BucketMoveKillIT {
    static final String CONFIG = "test-config-new-shard.yml";
    static final List<String> SHARD_IDS = List.of("shard-a", "shard-b", "shard-c");
    private static final Duration WAITING = Duration.ofSeconds(3);
    private final Webhooks provider = new Webhooks(TestApp.SECRET);

    @ParameterizedTest(name = "killed after {0}")
    @ValueSource(strings = {"copy-chunk", "copied", "frozen", "published", "owned"})
    void moverKilledAtAnyStepIsFinishedByRunningTheSameMoveAgain(String step) throws Exception {
        List<String> shards = freshShards();
        Path dir = TestInfrastructure.newTempDirectory("hookshard-move-kill-");
        TestApp app = TestApp.onSharedInfrastructure().withShards(shards).withConfig(CONFIG).start();
        try {
            MoveLoad load = new MoveLoad(provider, List.of(app::url)).start(2);
            try {
                Thread.sleep(3_000);
                ShardsCli mover = ShardsCli.start(shards, CONFIG, dir.resolve("move-killed.out"),
                        List.of("-Dhookshard.move.holdAt=" + step), "move", "--buckets", "0-255", "--to", "shard-c");
                mover.awaitOutput("holding after " + step, Duration.ofMinutes(2));
                boolean frozen = List.of("frozen", "published").contains(step);
                if (frozen) {
                    assertFrozenBucketsWaitWhileTheOthersFlow(shards);
                }
                mover.kill();
                assertThat(moveState(shards)).isEqualTo(step.startsWith("cop") ? "copying" : "frozen");
                if (frozen) {
                    assertFrozenBucketsWaitWhileTheOthersFlow(shards);
                }

                String resumed = ShardsCli.start(shards, CONFIG, dir.resolve("move-resumed.out"), List.of(), "move",
                        "--buckets", "0-255", "--to", "shard-c").awaitSuccess(Duration.ofMinutes(3));
                assertThat(resumed).contains("resuming move 1 of buckets [0-255] from shard-a to shard-c")
                        .contains("switched: buckets [0-255] are on shard-c").doesNotContain("holding");
                assertThat(moveState(shards)).isEqualTo("switched");
                Thread.sleep(2_000);
            } finally {
                load.stop();
            }
            awaitDrained(app);
            cleanUp(shards);
            assertThat(load.violations()).isEmpty();
            MoveLedger ledger = new MoveLedger(urlsById(shards));
            assertThat(ledger.map().describe()).contains("shard-c=[0-255]");
            ledger.assertEveryAcceptedEventStoredOnceWhereTheMapSays(load);
            assertNothingDeadLettered(app);
        } finally {
            app.stop();
        }
    }

    /**
     * Over a few seconds of load, no row is written in the moving buckets 0-255 (on shard-a or shard-c), while rows
     * keep landing in shard-a's other buckets, 256-511.
     */
    static void assertFrozenBucketsWaitWhileTheOthersFlow(List<String> shards) throws InterruptedException {
        long moving = rowsInBuckets(shards, 0, 255);
        long others = rowsInBuckets(shards, 256, 511);
        Thread.sleep(WAITING.toMillis());
        assertThat(rowsInBuckets(shards, 0, 255)).as("rows in the frozen buckets").isEqualTo(moving);
        assertThat(rowsInBuckets(shards, 256, 511)).as("rows in shard-a's other buckets").isGreaterThan(others);
    }

    private static long rowsInBuckets(List<String> shards, int first, int last) {
        return shards.stream().mapToLong(shard -> ShardSql.count(shard,
                "SELECT count(*) FROM inbox WHERE bucket BETWEEN ? AND ?", first, last)).sum();
    }

    static String moveState(List<String> shards) {
        return ShardSql.string(shards.get(0), "SELECT state FROM bucket_moves ORDER BY move_id DESC LIMIT 1");
    }

    static List<String> freshShards() {
        List<String> two = TestInfrastructure.shared().shards().stream().map(TestInfrastructure::freshDatabase)
                .toList();
        return List.of(two.get(0), two.get(1), TestInfrastructure.freshDatabase(
                TestInfrastructure.shared().shards().get(0)));
    }

    static Map<String, String> urlsById(List<String> shards) {
        Map<String, String> urls = new LinkedHashMap<>();
        for (int i = 0; i < shards.size(); i++) {
            urls.put(SHARD_IDS.get(i), shards.get(i));
        }
        return urls;
    }

    static void cleanUp(List<String> shards) {
        Map<String, Jdbi> jdbis = new LinkedHashMap<>();
        urlsById(shards).forEach((id, url) -> jdbis.put(id, Jdbi.create(url, "postgres", "")));
        new BucketCleanup(new ShardDatabases(jdbis)).run(Duration.ZERO, line -> { });
    }

    private static void awaitDrained(TestApp app) {
        awaitDrained(app.bootstrapServers(), app.configuration().getConsumers().getGroupId(), app.ordersTopic(),
                app.disputesTopic());
    }

    static void awaitDrained(String bootstrapServers, String group, String orders, String disputes) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() ->
                ConsumerLag.total(bootstrapServers, group, orders) == 0
                        && ConsumerLag.total(bootstrapServers, group, disputes) == 0
                        && ConsumerLag.total(bootstrapServers, group, disputes + ".retry") == 0);
    }

    private static void assertNothingDeadLettered(TestApp app) throws Exception {
        assertThat(Topics.recordCount(app.bootstrapServers(), app.ordersTopic() + ".dlq")).isZero();
        assertThat(Topics.recordCount(app.bootstrapServers(), app.disputesTopic() + ".dlq")).isZero();
    }
}
