package io.hookshard;

import io.hookshard.db.ShardDatabases;
import io.hookshard.move.BucketCleanup;
import io.hookshard.routing.Catalog;
import io.hookshard.support.ConsumerLag;
import io.hookshard.support.MoveLedger;
import io.hookshard.support.MoveLoad;
import io.hookshard.support.ServiceProcess;
import io.hookshard.support.ShardSql;
import io.hookshard.support.ShardsCli;
import io.hookshard.support.TestApp;
import io.hookshard.support.TestInfrastructure;
import io.hookshard.support.Topics;
import io.hookshard.support.Webhooks;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
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
 * mover's test hook ({@code -Dhookshard.move.holdAt}, see {@code MoveHold}). The same with two service instances
 * (their own JVMs) under load, one of them SIGKILLed mid-move: the one running the move as its admin task, or one
 * that is started again while the buckets are frozen.
 */
class BucketMoveKillIT {
    static final String CONFIG = "test-config-new-shard.yml";
    static final List<String> SHARD_IDS = List.of("shard-a", "shard-b", "shard-c");
    private static final Duration WAITING = Duration.ofSeconds(3);
    /** Events accepted before a move starts, so that it has rows to move however busy the machine is. */
    static final int BEFORE_THE_MOVE = 400;
    private final Webhooks provider = new Webhooks(TestApp.SECRET);

    @ParameterizedTest(name = "killed after {0}")
    @ValueSource(strings = {"copy-chunk", "copied", "frozen", "published", "owned"})
    void moverKilledAtAnyStepIsFinishedByRunningTheSameMoveAgain(String step) throws Exception {
        underLoad("hookshard-move-kill-", (shards, dir) -> {
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
        });
    }

    /**
     * A move that aborts after its freeze (the relay did not publish in time, or the copies differ) unfreezes the
     * source, then records the abort; a mover killed between the two leaves the catalog saying frozen while the source
     * owns the buckets again and writes them. Run again, the move must freeze them again before its last copy: held
     * once the next map is published, it has them frozen on the source, and in the end every event accepted before,
     * during and after is stored once where the map says.
     */
    @Test
    void aMoveWhoseAbortWasNotRecordedFreezesItsBucketsAgainWhenRunAgain() throws Exception {
        underLoad("hookshard-move-unrecorded-abort-", (shards, dir) -> {
            ShardsCli killed = ShardsCli.start(shards, CONFIG, dir.resolve("move-killed.out"),
                    List.of("-Dhookshard.move.holdAt=frozen"), "move", "--buckets", "0-255", "--to", "shard-c");
            killed.awaitOutput("holding after frozen", Duration.ofMinutes(2));
            killed.kill();
            // What an aborting mover does before it records the abort.
            ShardSql.execute(shards.get(0), "UPDATE bucket_ownership SET state = 'owned' WHERE state = 'frozen'");
            long moving = rowsInBuckets(shards, 0, 255);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> rowsInBuckets(shards, 0, 255) > moving);

            ShardsCli resumed = ShardsCli.start(shards, CONFIG, dir.resolve("move-resumed.out"),
                    List.of("-Dhookshard.move.holdAt=published@10"), "move", "--buckets", "0-255", "--to",
                    "shard-c");
            resumed.awaitOutput("holding after published", Duration.ofMinutes(2));
            assertThat(ShardSql.count(shards.get(0), "SELECT count(*) FROM bucket_ownership"
                    + " WHERE bucket BETWEEN 0 AND 255 AND state = 'frozen'"))
                    .as("buckets frozen on shard-a while the move switches").isEqualTo(256);
            assertThat(resumed.awaitSuccess(Duration.ofMinutes(3)))
                    .contains("resuming move 1 of buckets [0-255] from shard-a to shard-c")
                    .contains("froze 256 bucket(s) on shard-a again")
                    .contains("switched: buckets [0-255] are on shard-c");
        });
    }

    /**
     * A mover whose catalog session ends mid-move (the shard restarted, the connection dropped) has lost the move lock
     * without being told, and another mover could start: it stops before it publishes the next map, and the move
     * resumes when run again. (The mover's catalog statements run on the session that holds the lock, so here the
     * first of them stops it; the lock's checks also cover a lock released under a live session, see SessionLockIT.)
     */
    @Test
    void aMoverThatLostTheMoveLockStopsBeforePublishingAndTheMoveResumes() throws Exception {
        List<String> shards = freshShards();
        Path dir = TestInfrastructure.newTempDirectory("hookshard-move-lock-lost-");
        TestApp app = TestApp.onSharedInfrastructure().withShards(shards).withConfig(CONFIG).start();
        try {
            ShardsCli mover = ShardsCli.start(shards, CONFIG, dir.resolve("move-lock-lost.out"),
                    List.of("-Dhookshard.move.holdAt=frozen@5"), "move", "--buckets", "0-255", "--to", "shard-c");
            mover.awaitOutput("holding after frozen", Duration.ofMinutes(2));
            // The session holding "hookmove" (classid and objid as pg_locks shows them) ends under the mover.
            ShardSql.execute(shards.get(0), "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype ="
                    + " 'advisory' AND classid = 1752133483 AND objid = 1836021349 AND objsubid = 1");

            assertThat(mover.awaitExit(Duration.ofMinutes(1))).as(mover.output()).isNotZero();
            assertThat(mover.output()).contains("move 1 of buckets [0-255] from shard-a to shard-c stopped")
                    .doesNotContain("switched: buckets");
            assertThat(moveState(shards)).isEqualTo("frozen");
            String resumed = ShardsCli.start(shards, CONFIG, dir.resolve("move-resumed.out"), List.of(), "move",
                    "--buckets", "0-255", "--to", "shard-c").awaitSuccess(Duration.ofMinutes(3));
            assertThat(resumed).contains("resuming move 1 of buckets [0-255] from shard-a to shard-c")
                    .contains("switched: buckets [0-255] are on shard-c");
        } finally {
            app.stop();
        }
    }

    /**
     * Two instances under load; the move runs as the first one's admin task, which is SIGKILLed once the buckets are
     * frozen (the mover and a consumer die together). The second one's task finishes the move; the first comes back.
     */
    @Test
    void instanceRunningTheMoveKilledWhileItsBucketsAreFrozenLosesAndDoublesNothing() throws Exception {
        List<String> shards = freshShards();
        String namespace = TestApp.newNamespace();
        Path dir = TestInfrastructure.newTempDirectory("hookshard-move-instance-kill-");
        String bootstrap = TestInfrastructure.shared().bootstrapServers();
        try (ServiceProcess first = new ServiceProcess(bootstrap, shards, namespace, dir.resolve("first.log"), CONFIG,
                List.of("-Dhookshard.move.holdAt=frozen")).start();
             ServiceProcess second = new ServiceProcess(bootstrap, shards, namespace, dir.resolve("second.log"),
                     CONFIG, List.of()).start()) {
            MoveLoad load = new MoveLoad(provider, List.of(first::url, second::url)).start(4);
            try {
                load.awaitAccepted(BEFORE_THE_MOVE);
                java.util.concurrent.CompletableFuture<HttpResponse<String>> killedTask = HttpClient.newHttpClient()
                        .sendAsync(moveRequest(first), HttpResponse.BodyHandlers.ofString());
                awaitLine(first.log(), "holding after frozen");
                first.kill();
                assertThat(killedTask).failsWithin(Duration.ofSeconds(30));
                assertThat(moveState(shards)).isEqualTo("frozen");
                assertFrozenBucketsWaitWhileTheOthersFlow(shards);

                HttpResponse<String> resumed = HttpClient.newHttpClient().send(moveRequest(second),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(resumed.statusCode()).as(resumed.body()).isEqualTo(200);
                assertThat(resumed.body()).contains("resuming move 1 of buckets [0-255] from shard-a to shard-c")
                        .contains("switched: buckets [0-255] are on shard-c");
                first.start();
                Thread.sleep(2_000);
            } finally {
                load.stop();
            }
            assertEverythingWhereTheMapSays(load, shards, bootstrap, namespace);
        }
    }

    /**
     * The mover ({@code shards move}) holds with the buckets frozen; one of two instances under load is SIGKILLed and
     * started again (its start must leave the frozen buckets frozen), then the mover is killed too and run again.
     */
    @Test
    void instanceKilledAndRestartedWhileBucketsAreFrozenLosesAndDoublesNothing() throws Exception {
        List<String> shards = freshShards();
        String namespace = TestApp.newNamespace();
        Path dir = TestInfrastructure.newTempDirectory("hookshard-move-instance-kill-");
        String bootstrap = TestInfrastructure.shared().bootstrapServers();
        try (ServiceProcess first = new ServiceProcess(bootstrap, shards, namespace, dir.resolve("first.log"), CONFIG,
                List.of()).start();
             ServiceProcess second = new ServiceProcess(bootstrap, shards, namespace, dir.resolve("second.log"),
                     CONFIG, List.of()).start()) {
            MoveLoad load = new MoveLoad(provider, List.of(first::url, second::url)).start(4);
            try {
                load.awaitAccepted(BEFORE_THE_MOVE);
                ShardsCli mover = ShardsCli.start(shards, CONFIG, dir.resolve("move-killed.out"),
                        List.of("-Dhookshard.move.holdAt=frozen"), "move", "--buckets", "0-255", "--to", "shard-c");
                mover.awaitOutput("holding after frozen", Duration.ofMinutes(2));
                second.kill();
                second.start();
                assertThat(ShardSql.count(shards.get(0), "SELECT count(*) FROM bucket_ownership WHERE state ="
                        + " 'frozen'")).as("frozen buckets after an instance started").isEqualTo(256);
                assertFrozenBucketsWaitWhileTheOthersFlow(shards);
                mover.kill();

                String resumed = ShardsCli.start(shards, CONFIG, dir.resolve("move-resumed.out"), List.of(), "move",
                        "--buckets", "0-255", "--to", "shard-c").awaitSuccess(Duration.ofMinutes(3));
                assertThat(resumed).contains("resuming move 1 of buckets [0-255] from shard-a to shard-c")
                        .contains("switched: buckets [0-255] are on shard-c");
                Thread.sleep(2_000);
            } finally {
                load.stop();
            }
            assertEverythingWhereTheMapSays(load, shards, bootstrap, namespace);
        }
    }

    /** What a test does to the move of buckets 0-255 to shard-c while the load runs. */
    private interface WhileLoaded {
        void run(List<String> shards, Path dir) throws Exception;
    }

    /**
     * Fresh shards and one instance taking orders and chargebacks; {@code scenario} runs once the load has stored
     * events to move. In the end every accepted event is stored once where the map says, and nothing dead-lettered.
     */
    private void underLoad(String dirPrefix, WhileLoaded scenario) throws Exception {
        List<String> shards = freshShards();
        Path dir = TestInfrastructure.newTempDirectory(dirPrefix);
        TestApp app = TestApp.onSharedInfrastructure().withShards(shards).withConfig(CONFIG).start();
        try {
            MoveLoad load = new MoveLoad(provider, List.of(app::url)).start(4);
            try {
                load.awaitAccepted(BEFORE_THE_MOVE);
                scenario.run(shards, dir);
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
        awaitDrained(app);
        cleanUp(shards);
        assertThat(load.violations()).isEmpty();
        MoveLedger ledger = new MoveLedger(urlsById(shards));
        assertThat(ledger.map().describe()).contains("shard-c=[0-255]");
        ledger.assertEveryAcceptedEventStoredOnceWhereTheMapSays(load);
        assertNothingDeadLettered(app);
    }

    private static void assertEverythingWhereTheMapSays(MoveLoad load, List<String> shards, String bootstrap,
                                                        String namespace) throws Exception {
        awaitDrained(bootstrap, "hookshard-" + namespace, "orders.webhooks." + namespace,
                "disputes.webhooks." + namespace);
        cleanUp(shards);
        assertThat(load.violations()).isEmpty();
        MoveLedger ledger = new MoveLedger(urlsById(shards));
        assertThat(ledger.map().describe()).contains("shard-c=[0-255]");
        ledger.assertEveryAcceptedEventStoredOnceWhereTheMapSays(load);
        assertThat(Topics.recordCount(bootstrap, "orders.webhooks." + namespace + ".dlq")).isZero();
        assertThat(Topics.recordCount(bootstrap, "disputes.webhooks." + namespace + ".dlq")).isZero();
    }

    private static HttpRequest moveRequest(ServiceProcess instance) {
        return HttpRequest.newBuilder(instance.adminUrl("/tasks/buckets-move?buckets=0-255&to=shard-c"))
                .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofMinutes(3)).build();
    }

    private static void awaitLine(Path log, String text) {
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100)).until(() ->
                Files.readString(log).contains(text));
    }

    /**
     * Under load, rows keep landing in shard-a's other buckets, 256-511, while none is written in the moving buckets
     * 0-255 (on shard-a or shard-c), over at least a few seconds. The others may take longer than that to move on
     * right after an instance was killed: its partitions wait for the group to notice (the session timeout), and an
     * offset the killed instance was committing in a set-aside transaction for that transaction's timeout.
     */
    static void assertFrozenBucketsWaitWhileTheOthersFlow(List<String> shards) throws InterruptedException {
        long moving = rowsInBuckets(shards, 0, 255);
        long others = rowsInBuckets(shards, 256, 511);
        Thread.sleep(WAITING.toMillis());
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(rowsInBuckets(shards, 256, 511)).as("rows in shard-a's other buckets")
                        .isGreaterThan(others));
        assertThat(rowsInBuckets(shards, 0, 255)).as("rows in the frozen buckets").isEqualTo(moving);
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
        new BucketCleanup(new ShardDatabases(jdbis), new Catalog(jdbis.get("shard-a"), "shard-a"))
                .run(Duration.ZERO, line -> { });
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
