package io.hookshard;

import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.util.JarLocation;
import io.hookshard.support.ShardSql;
import io.hookshard.support.TestInfrastructure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The service jar's commands against real shards: shards migrate (one, all, dry run), shards status, route. */
class ShardsCommandIT {
    private List<String> shards;

    @BeforeEach
    void freshShards() {
        shards = TestInfrastructure.shared().shards().stream().map(TestInfrastructure::freshDatabase).toList();
        for (int i = 0; i < shards.size(); i++) {
            System.setProperty("dw.shards.shards[" + i + "].database.url", shards.get(i));
        }
    }

    @AfterEach
    void clearOverrides() {
        for (int i = 0; i < shards.size(); i++) {
            System.clearProperty("dw.shards.shards[" + i + "].database.url");
        }
    }

    @Test
    void dryRunPrintsTheSqlAndChangesNothing() throws Exception {
        String output = run("shards", "migrate", config(), "--shard", "shard-a", "--dry-run");

        assertThat(output).contains("-- shard shard-a: pending changesets").contains("CREATE TABLE")
                .contains("order_events").doesNotContain("shard-b");
        assertThat(tableExists(shards.get(0), "orders")).isFalse();
    }

    @Test
    void migratesOneShardOrAllAndAgainWithoutChange() throws Exception {
        assertThat(run("shards", "migrate", config(), "--shard", "shard-a")).contains("shard shard-a: migrated")
                .doesNotContain("shard shard-b");
        assertThat(tableExists(shards.get(0), "orders")).isTrue();
        assertThat(tableExists(shards.get(1), "orders")).isFalse();

        assertThat(run("shards", "migrate", config())).contains("shard shard-a: migrated", "shard shard-b: migrated");
        assertThat(run("shards", "migrate", config())).contains("shard shard-b: migrated");
        assertThat(tableExists(shards.get(1), "bucket_usage")).isTrue();
    }

    @Test
    void statusShowsSchemaPartitionsAndRows() throws Exception {
        run("shards", "migrate", config());

        String status = run("shards", "status", config());

        assertThat(status).contains("shard shard-a: reachable", "shard shard-b: reachable",
                "buckets in config.yml: [0-511]", "15 changesets applied, latest 8-disputes-per-order",
                "partitions: [dispute_events_default, order_events_default]", "orders           0 rows",
                "outbox           0 rows, 0 unpublished");
    }

    @Test
    void routePrintsTheBucketAndShardOfAKey() throws Exception {
        assertThat(run("route", "user-1", config())).contains("key=user-1 bucket=867 shard=shard-b");
    }

    private static String config() {
        return ResourceHelpers.resourceFilePath("test-config.yml");
    }

    private static boolean tableExists(String url, String table) {
        return ShardSql.count(url, "SELECT count(*) FROM pg_class WHERE relname = ? AND relkind IN ('r', 'p')", table) == 1;
    }

    /** Runs a command as {@code java -jar hookshard.jar ...} would; fails the test if the command failed. */
    @Test
    void aCommandThatFailsTellsWhyInALineWithoutAStackTrace() throws Exception {
        String empty = failing("route", "", config());
        String unknown = failing("shards", "status", config(), "--shard", "shard-z");

        assertThat(empty).contains("error: the key is empty").doesNotContain("\tat ");
        assertThat(unknown).contains("error: ").contains("shard-z").doesNotContain("\tat ");
    }

    private static String run(String... arguments) throws Exception {
        Outcome outcome = outcome(arguments);
        assertThat(outcome.failure()).as(outcome.output()).isEmpty();
        return outcome.output();
    }

    private static String failing(String... arguments) throws Exception {
        Outcome outcome = outcome(arguments);
        assertThat(outcome.failure()).as(outcome.output()).isPresent();
        return outcome.output();
    }

    private record Outcome(Optional<Throwable> failure, String output) {
    }

    private static Outcome outcome(String... arguments) throws Exception {
        HookshardApplication application = new HookshardApplication();
        Bootstrap<HookshardConfiguration> bootstrap = new Bootstrap<>(application);
        application.initialize(bootstrap);
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        Optional<Throwable> failure;
        try {
            failure = new Cli(new JarLocation(ShardsCommandIT.class), bootstrap, captured, captured).run(arguments);
        } finally {
            System.setOut(original);
        }
        return new Outcome(failure, captured.toString(StandardCharsets.UTF_8));
    }
}
