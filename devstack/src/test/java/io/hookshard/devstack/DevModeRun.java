package io.hookshard.devstack;

import io.hookshard.embedded.Ports;

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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Dev mode run as a terminal runs it, for the tests of how it copes with processes that die: the devstack jar as a
 * child process leading a process group of its own, on a data directory and free ports of the test's own. Every
 * start of one instance uses the same data and ports, as a user's second start does.
 */
final class DevModeRun {
    static final Path REPOSITORY = Path.of("").toAbsolutePath().getParent();
    private final HttpClient http = HttpClient.newHttpClient();
    private final Path data;
    private final Map<String, String> ports;

    DevModeRun(String name) {
        this(name, 2);
    }

    /** @param shards how many shards' ports to move: as many as the largest {@code --shards} a test starts with */
    DevModeRun(String name, int shards) {
        this.data = Path.of("target", name).toAbsolutePath();
        List<String> variables = new ArrayList<>(List.of(DevPorts.KAFKA, DevPorts.KAFKA_CONTROLLER, "HOOKSHARD_PORT",
                "HOOKSHARD_ADMIN_PORT"));
        for (int i = 0; i < shards; i++) {
            variables.add(DevPorts.shardVariable(i));
        }
        this.ports = ports(variables.toArray(String[]::new));
    }

    Path data() {
        return data;
    }

    int port(String variable) {
        return Integer.parseInt(ports.get(variable));
    }

    void deleteData() throws IOException {
        if (Files.exists(data)) {
            try (Stream<Path> paths = Files.walk(data)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }

    /** Output (stdout and stderr) goes to {@code <data>/<name>.out}; {@code flags} follow the config file. */
    Process start(String name, String... flags) throws IOException {
        Files.createDirectories(data);
        List<String> command = new ArrayList<>(List.of("setsid", "env", "--default-signal=INT,QUIT,HUP",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", Path.of("target", "hookshard-devstack.jar").toAbsolutePath().toString(), "config.yml"));
        command.addAll(List.of(flags));
        ProcessBuilder builder = new ProcessBuilder(command).directory(REPOSITORY.toFile()).redirectErrorStream(true)
                .redirectOutput(output(name).toFile());
        List.of("KAFKA_BROKERS", "SHARD_A_URL", "SHARD_B_URL", "SHARD_C_URL").forEach(builder.environment()::remove);
        builder.environment().put("HOOKSHARD_DEV_DATA", data.toString());
        builder.environment().putAll(ports);
        Process process = builder.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }));
        return process;
    }

    Path output(String name) {
        return data.resolve(name + ".out");
    }

    String awaitHealthy(Process devstack, String name) throws Exception {
        return awaitHealthy(devstack, name, Duration.ofSeconds(180));
    }

    String awaitHealthy(Process devstack, String name, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (!devstack.isAlive()) {
                fail("dev mode exited during startup:\n" + Files.readString(output(name)));
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
        return fail("dev mode was not healthy within " + within.toSeconds() + " s:\n"
                + Files.readString(output(name)));
    }

    /** Waits for a line of dev mode's output that {@code wanted} accepts, and returns it. */
    String awaitLine(String name, Predicate<String> wanted, Duration wait) throws Exception {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            for (String line : Files.readAllLines(output(name))) {
                if (wanted.test(line)) {
                    return line;
                }
            }
            Thread.sleep(250);
        }
        return fail("no such line in dev mode's output within " + wait + ":\n" + Files.readString(output(name)));
    }

    /** Posts signed orders (202 each: the service answers once Kafka has them) and returns their ids. */
    List<String> postOrders(String batch, int count) throws Exception {
        List<String> orders = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String order = "order-" + batch + "-" + i;
            String body = "{\"provider_event_id\":\"evt-" + batch + "-" + i + "\",\"user_id\":\"user-" + batch + "-"
                    + i + "\",\"order_id\":\"" + order + "\",\"status\":\"paid\",\"amount_minor\":100,"
                    + "\"currency\":\"EUR\",\"occurred_at\":\"2026-11-20T10:00:00Z\"}";
            HttpResponse<String> response = http.send(signed(body), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
            orders.add(order);
        }
        return orders;
    }

    void awaitReadable(List<String> orders) throws Exception {
        awaitReadable(orders, Duration.ofSeconds(90));
    }

    /** Each order answers 200 within {@code each} of the wait for it. */
    void awaitReadable(List<String> orders, Duration each) throws Exception {
        for (String order : orders) {
            long deadline = System.nanoTime() + each.toNanos();
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

    /** The postmaster's pid, from the first line of the shard's postmaster.pid. */
    long postmasterPid(String shard) throws IOException {
        return Long.parseLong(Files.readAllLines(data.resolve(shard).resolve("postmaster.pid")).get(0).strip());
    }

    /** Ctrl-C, as a terminal sends it to dev mode's process group; dev mode stops its shards itself. */
    static void stop(Process devstack) throws Exception {
        stop(devstack, Duration.ofSeconds(60));
    }

    /** @param childrenGone how long dev mode's processes may outlive it */
    static void stop(Process devstack, Duration childrenGone) throws Exception {
        try {
            List<ProcessHandle> children = devstack.descendants().toList();
            new ProcessBuilder("kill", "-INT", "--", "-" + devstack.pid()).inheritIO().start().waitFor();
            assertThat(devstack.waitFor(60, TimeUnit.SECONDS)).as("dev mode exits after SIGINT").isTrue();
            awaitGone(children, childrenGone);
        } finally {
            devstack.descendants().forEach(ProcessHandle::destroyForcibly);
            devstack.destroyForcibly();
        }
    }

    static void awaitGone(List<ProcessHandle> processes) throws InterruptedException {
        awaitGone(processes, Duration.ofSeconds(60));
    }

    static void awaitGone(List<ProcessHandle> processes, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (processes.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(processes).as("processes expected gone").noneMatch(ProcessHandle::isAlive);
    }

    static List<ProcessHandle> postmasters(Process devstack) {
        return devstack.children().filter(child -> child.info().command().orElse("").endsWith("/postgres")).toList();
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

    private URI app(String path) {
        return URI.create("http://127.0.0.1:" + ports.get("HOOKSHARD_PORT") + path);
    }

    URI admin(String path) {
        return URI.create("http://127.0.0.1:" + ports.get("HOOKSHARD_ADMIN_PORT") + path);
    }

    private static Map<String, String> ports(String... variables) {
        int[] free = Ports.freePorts(variables.length);
        Map<String, String> ports = new HashMap<>();
        for (int i = 0; i < variables.length; i++) {
            ports.put(variables[i], Integer.toString(free[i]));
        }
        return Map.copyOf(ports);
    }
}
