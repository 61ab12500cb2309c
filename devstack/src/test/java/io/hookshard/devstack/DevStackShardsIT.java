package io.hookshard.devstack;

import io.hookshard.router.BucketFunction;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The whole story of "Adding a shard" in dev mode: started with its two shards, then again with {@code --shards 3}
 * on the same data (shard-c joins empty, migrated, healthy), half of shard-a's buckets moved to it with the service
 * jar's {@code shards move} and the configuration dev mode generated, then started a third time without the flag:
 * dev mode runs the three shards its data holds, and the map in force, the orders and where their rows are survive.
 */
class DevStackShardsIT {
    private static final BucketFunction BUCKETS = new BucketFunction(BucketFunction.DEFAULT_BUCKETS);
    private static final Duration HEALTHY_WITHIN = Duration.ofSeconds(120);
    private static final Duration READABLE_WITHIN = Duration.ofSeconds(60);
    private static final Duration GONE_WITHIN = Duration.ofSeconds(10);
    private final HttpClient http = HttpClient.newHttpClient();
    private final DevModeRun devMode = new DevModeRun("devstack-shards-it", 3);

    @Test
    void aThirdShardJoinsEmptyOnTheSameDataTakesBucketsByAMoveAndStaysOnTheNextStart() throws Exception {
        devMode.deleteData();
        List<String> orders = new ArrayList<>();
        Process two = devMode.start("two");
        try {
            devMode.awaitHealthy(two, "two", HEALTHY_WITHIN);
            assertThat(DevModeRun.postmasters(two)).hasSize(2);
            orders.addAll(devMode.postOrders("before", 40));
            devMode.awaitReadable(orders, READABLE_WITHIN);
        } finally {
            DevModeRun.stop(two, GONE_WITHIN);
        }

        Process three = devMode.start("three", "--shards", "3");
        try {
            String health = devMode.awaitHealthy(three, "three", HEALTHY_WITHIN);
            assertThat(health).containsPattern("\"shards\\.shard-c\":\\{[^}]*\"healthy\":true");
            assertThat(DevModeRun.postmasters(three)).hasSize(3);
            Path generated = devMode.data().resolve(DevConfig.GENERATED);
            assertThat(generated).exists();
            assertThat(bucketMap()).contains("in force: version 1").doesNotContain("shard-c=")
                    .contains("shard-c: recorded as shard-c owning []");
            assertThat(Files.readString(devMode.output("three"))).contains("shard-c jdbc:postgresql://127.0.0.1:"
                    + devMode.port(DevPorts.shardVariable(2)) + "/hookshard").contains("config   " + generated);

            String moved = runServiceJar("move.out", "shards", "move", generated.toString(), "--buckets", "0-255",
                    "--to", "shard-c");
            assertThat(moved).contains("froze 256 bucket(s) on shard-a").contains("verified")
                    .contains("switched: buckets [0-255] are on shard-c (map version 2)");
            awaitBucketMap("shard-c=[0-255]");
            orders.addAll(devMode.postOrders("after", 40));
            devMode.awaitReadable(orders, READABLE_WITHIN);
            assertRowsWhereTheMapSays(orders);
        } finally {
            DevModeRun.stop(three, GONE_WITHIN);
        }

        Process again = devMode.start("again");
        try {
            devMode.awaitHealthy(again, "again", HEALTHY_WITHIN);
            assertThat(DevModeRun.postmasters(again)).as("shards of the data").hasSize(3);
            assertThat(bucketMap()).contains("in force: version 2").contains("shard-c=[0-255]");
            devMode.awaitReadable(orders, READABLE_WITHIN);
        } finally {
            DevModeRun.stop(again, GONE_WITHIN);
        }
    }

    /** Every order of a user in buckets 0-255 is on shard-c, and none of them is left on shard-a after cleanup. */
    private void assertRowsWhereTheMapSays(List<String> orders) throws Exception {
        String generated = devMode.data().resolve(DevConfig.GENERATED).toString();
        assertThat(runServiceJar("status-before-cleanup.out", "shards", "status", generated, "--shard", "shard-a"))
                .containsPattern("orders +\\d+ rows, [1-9]\\d* of them in buckets moved away");
        runServiceJar("cleanup.out", "shards", "cleanup", generated, "--grace", "0s");
        long moving = orders.stream().filter(order -> BUCKETS.bucketOf(userOf(order)) < 256).count();
        assertThat(moving).as("orders of users in buckets 0-255").isPositive();
        assertThat(count(2, "SELECT count(*) FROM orders")).isEqualTo(moving);
        assertThat(count(0, "SELECT count(*) FROM orders")).isEqualTo(orders.stream()
                .filter(order -> BUCKETS.bucketOf(userOf(order)) >= 256 && BUCKETS.bucketOf(userOf(order)) < 512)
                .count());
        assertThat(count(0, "SELECT count(*) FROM orders WHERE bucket < 256")).isZero();
    }

    private long count(int shard, String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:"
                + devMode.port(DevPorts.shardVariable(shard)) + "/hookshard", "postgres", "");
             ResultSet rs = connection.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String userOf(String order) {
        return order.replace("order-", "user-");
    }

    private String bucketMap() throws Exception {
        return http.send(HttpRequest.newBuilder(devMode.admin("/tasks/bucket-map"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private void awaitBucketMap(String text) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!bucketMap().contains(text)) {
            if (System.nanoTime() > deadline) {
                fail("the bucket map in force never showed " + text + ":\n" + bucketMap());
            }
            Thread.sleep(200);
        }
    }

    private String runServiceJar(String output, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", DevModeRun.REPOSITORY.resolve("service/target/hookshard.jar").toString()));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).directory(DevModeRun.REPOSITORY.toFile())
                .redirectErrorStream(true)
                .redirectOutput(devMode.data().resolve(output).toFile());
        List.of("SHARD_A_URL", "SHARD_B_URL", "SHARD_C_URL").forEach(builder.environment()::remove);
        Process process = builder.start();
        assertThat(process.waitFor(3, TimeUnit.MINUTES)).as(String.join(" ", arguments)).isTrue();
        String text = Files.readString(devMode.data().resolve(output));
        assertThat(process.exitValue()).as(text).isZero();
        return text;
    }
}
