package io.hookshard.devstack;

import io.hookshard.embedded.Ports;
import io.hookshard.router.BucketFunction;

import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The whole story of "Adding a shard" in dev mode: started with its two shards, then again with {@code --shards 3}
 * on the same data (shard-c joins empty, migrated, healthy), half of shard-a's buckets moved to it with the service
 * jar's {@code shards move} and the configuration dev mode generated, then started a third time without the flag:
 * dev mode runs the three shards its data holds, and the map in force, the orders and where their rows are survive.
 */
class DevStackShardsIT {
    private static final Path REPOSITORY = Path.of("").toAbsolutePath().getParent();
    private static final Path DATA = Path.of("target", "devstack-shards-it").toAbsolutePath();
    private static final BucketFunction BUCKETS = new BucketFunction(BucketFunction.DEFAULT_BUCKETS);
    private final HttpClient http = HttpClient.newHttpClient();
    private final Map<String, String> ports = ports(DevPorts.KAFKA, DevPorts.KAFKA_CONTROLLER,
            DevPorts.shardVariable(0), DevPorts.shardVariable(1), DevPorts.shardVariable(2), "HOOKSHARD_PORT",
            "HOOKSHARD_ADMIN_PORT");

    @Test
    void aThirdShardJoinsEmptyOnTheSameDataTakesBucketsByAMoveAndStaysOnTheNextStart() throws Exception {
        deleteData();
        List<String> orders = new ArrayList<>();
        Process two = start("two", List.of());
        try {
            awaitHealthy(two, "two");
            assertThat(two.children().filter(DevStackShardsIT::isPostmaster).count()).isEqualTo(2);
            orders.addAll(postOrders("before", 40));
            awaitReadable(orders);
        } finally {
            stop(two);
        }

        Process three = start("three", List.of("--shards", "3"));
        try {
            String health = awaitHealthy(three, "three");
            assertThat(health).containsPattern("\"shards\\.shard-c\":\\{[^}]*\"healthy\":true");
            assertThat(three.children().filter(DevStackShardsIT::isPostmaster).count()).isEqualTo(3);
            Path generated = DATA.resolve(DevConfig.GENERATED);
            assertThat(generated).exists();
            assertThat(bucketMap()).contains("in force: version 1").doesNotContain("shard-c=")
                    .contains("shard-c: recorded as shard-c owning []");
            assertThat(Files.readString(DATA.resolve("three.out"))).contains("shard-c jdbc:postgresql://127.0.0.1:"
                    + ports.get(DevPorts.shardVariable(2)) + "/hookshard").contains("config   " + generated);

            String moved = runServiceJar("move.out", "shards", "move", generated.toString(), "--buckets", "0-255",
                    "--to", "shard-c");
            assertThat(moved).contains("froze 256 bucket(s) on shard-a").contains("verified")
                    .contains("switched: buckets [0-255] are on shard-c (map version 2)");
            awaitBucketMap("shard-c=[0-255]");
            orders.addAll(postOrders("after", 40));
            awaitReadable(orders);
            assertRowsWhereTheMapSays(orders);
        } finally {
            stop(three);
        }

        Process again = start("again", List.of());
        try {
            awaitHealthy(again, "again");
            assertThat(again.children().filter(DevStackShardsIT::isPostmaster).count()).as("shards of the data")
                    .isEqualTo(3);
            assertThat(bucketMap()).contains("in force: version 2").contains("shard-c=[0-255]");
            awaitReadable(orders);
        } finally {
            stop(again);
        }
    }

    /** Every order of a user in buckets 0-255 is on shard-c, and none of them is left on shard-a after cleanup. */
    private void assertRowsWhereTheMapSays(List<String> orders) throws Exception {
        String generated = DATA.resolve(DevConfig.GENERATED).toString();
        assertThat(runServiceJar("status-before-cleanup.out", "shards", "status", generated, "--shard", "shard-a"))
                .containsPattern("orders +\\d+ rows, [1-9]\\d* of them in buckets moved away");
        runServiceJar("cleanup.out", "shards", "cleanup", DATA.resolve(DevConfig.GENERATED).toString(), "--grace",
                "0s");
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
                + ports.get(DevPorts.shardVariable(shard)) + "/hookshard", "postgres", "");
             ResultSet rs = connection.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private List<String> postOrders(String batch, int count) throws Exception {
        List<String> orders = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String order = "order-" + batch + "-" + i;
            String body = "{\"provider_event_id\":\"evt-" + batch + "-" + i + "\",\"user_id\":\"" + userOf(order)
                    + "\",\"order_id\":\"" + order + "\",\"status\":\"paid\",\"amount_minor\":100,"
                    + "\"currency\":\"EUR\",\"occurred_at\":\"2026-11-20T10:00:00Z\"}";
            HttpResponse<String> response = http.send(signed(body), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
            orders.add(order);
        }
        return orders;
    }

    private static String userOf(String order) {
        return order.replace("order-", "user-");
    }

    /** Signed as Standard Webhooks does, with dev mode's public secret. */
    private HttpRequest signed(String body) throws Exception {
        String id = "msg_" + UUID.randomUUID();
        long timestamp = System.currentTimeMillis() / 1000;
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(DevStack.DEV_SECRET.substring("whsec_".length())),
                "HmacSHA256"));
        String signature = Base64.getEncoder().encodeToString(mac.doFinal((id + "." + timestamp + "." + body)
                .getBytes(StandardCharsets.UTF_8)));
        return HttpRequest.newBuilder(app("/webhooks/payments/orders")).header("content-type", "application/json")
                .header("webhook-id", id).header("webhook-timestamp", Long.toString(timestamp))
                .header("webhook-signature", "v1," + signature).POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private void awaitReadable(List<String> orders) throws Exception {
        for (String order : orders) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (true) {
                int status = http.send(HttpRequest.newBuilder(app("/orders/" + order)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status == 200) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    fail(order + " still answers " + status);
                }
                Thread.sleep(200);
            }
        }
    }

    private String bucketMap() throws Exception {
        return http.send(HttpRequest.newBuilder(admin("/tasks/bucket-map")).POST(HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString()).body();
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
                .toString(), "-jar", REPOSITORY.resolve("service/target/hookshard.jar").toString()));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).directory(REPOSITORY.toFile()).redirectErrorStream(true)
                .redirectOutput(DATA.resolve(output).toFile());
        List.of("SHARD_A_URL", "SHARD_B_URL", "SHARD_C_URL").forEach(builder.environment()::remove);
        Process process = builder.start();
        assertThat(process.waitFor(3, TimeUnit.MINUTES)).as(String.join(" ", arguments)).isTrue();
        String text = Files.readString(DATA.resolve(output));
        assertThat(process.exitValue()).as(text).isZero();
        return text;
    }

    private Process start(String name, List<String> flags) throws IOException {
        Files.createDirectories(DATA);
        List<String> command = new ArrayList<>(List.of("setsid", "env", "--default-signal=INT,QUIT,HUP",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", Path.of("target", "hookshard-devstack.jar").toAbsolutePath().toString(), "config.yml"));
        command.addAll(flags);
        ProcessBuilder builder = new ProcessBuilder(command).directory(REPOSITORY.toFile()).redirectErrorStream(true)
                .redirectOutput(DATA.resolve(name + ".out").toFile());
        List.of("KAFKA_BROKERS", "SHARD_A_URL", "SHARD_B_URL", "SHARD_C_URL").forEach(builder.environment()::remove);
        builder.environment().put("HOOKSHARD_DEV_DATA", DATA.toString());
        builder.environment().putAll(ports);
        Process process = builder.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }));
        return process;
    }

    private String awaitHealthy(Process devstack, String name) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            if (!devstack.isAlive()) {
                fail("dev mode exited during startup:\n" + Files.readString(DATA.resolve(name + ".out")));
            }
            try {
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(admin("/healthcheck"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (health.statusCode() == 200) {
                    return health.body();
                }
            } catch (IOException starting) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        return fail("dev mode was not healthy within 120 s:\n" + Files.readString(DATA.resolve(name + ".out")));
    }

    /** Ctrl-C, as a terminal sends it to dev mode's process group; dev mode stops its shards itself. */
    private static void stop(Process devstack) throws Exception {
        try {
            List<ProcessHandle> children = devstack.descendants().toList();
            new ProcessBuilder("kill", "-INT", "--", "-" + devstack.pid()).inheritIO().start().waitFor();
            assertThat(devstack.waitFor(60, TimeUnit.SECONDS)).as("dev mode exits after SIGINT").isTrue();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (children.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(children).as("dev mode's processes after it exited").noneMatch(ProcessHandle::isAlive);
        } finally {
            devstack.descendants().forEach(ProcessHandle::destroyForcibly);
            devstack.destroyForcibly();
        }
    }

    private static boolean isPostmaster(ProcessHandle child) {
        return child.info().command().orElse("").endsWith("/postgres");
    }

    private URI app(String path) {
        return URI.create("http://127.0.0.1:" + ports.get("HOOKSHARD_PORT") + path);
    }

    private URI admin(String path) {
        return URI.create("http://127.0.0.1:" + ports.get("HOOKSHARD_ADMIN_PORT") + path);
    }

    /** A distinct free port for each variable: shard-c's must not be one that shard-b takes. */
    private static Map<String, String> ports(String... variables) {
        int[] free = Ports.freePorts(variables.length);
        Map<String, String> ports = new HashMap<>();
        for (int i = 0; i < variables.length; i++) {
            ports.put(variables[i], Integer.toString(free[i]));
        }
        return Map.copyOf(ports);
    }

    private static void deleteData() throws IOException {
        if (Files.exists(DATA)) {
            try (Stream<Path> paths = Files.walk(DATA)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }
}
