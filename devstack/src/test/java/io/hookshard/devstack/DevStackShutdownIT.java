package io.hookshard.devstack;

import io.hookshard.embedded.Ports;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Dev mode as a terminal runs it: the devstack jar leads a process group of its own, and the signal a terminal sends
 * (Ctrl-C, or SIGHUP when it closes) goes to that whole group. Dev mode alone must decide when its shards stop.
 */
class DevStackShutdownIT {
    private static final Path REPOSITORY = Path.of("").toAbsolutePath().getParent();
    private static final Path DATA = Path.of("target", "devstack-it").toAbsolutePath();
    private static final Pattern SERVICE_STOPPED = Pattern.compile(
            "^\\w+\\s+\\[(\\S+ \\S+)] io\\.hookshard\\.devstack\\.DevStack: service stopped in \\d+ ms$");
    private static final Pattern SHUTDOWN_REQUEST = Pattern.compile(
            "^(\\S+ \\S+) UTC \\[\\d+] LOG:  received \\w+ shutdown request$");
    private static final DateTimeFormatter SERVICE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss,SSS");
    private static final DateTimeFormatter POSTGRES_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

    @ParameterizedTest(name = "SIG{0} to the process group")
    @ValueSource(strings = {"INT", "HUP"})
    void terminalSignalStopsTheServiceBeforeTheShardsAndLeavesNoProcessBehind(String signal) throws Exception {
        Path output = DATA.resolve("devstack-" + signal + ".out");
        int[] ports = Ports.freePorts(6);
        int adminPort = ports[5];
        Process devstack = start(output, ports);
        try {
            awaitHealthy(devstack, adminPort, output);
            List<ProcessHandle> postmasters = devstack.children()
                    .filter(child -> child.info().command().orElse("").endsWith("/postgres")).toList();
            assertThat(postmasters).as("the shards are direct children of dev mode").hasSize(2);
            List<ProcessHandle> children = devstack.descendants().toList();

            // Ctrl-\: the JVM prints its threads and runs on; PostgreSQL in the same group would quit at once.
            signalGroup(devstack, "QUIT");
            Thread.sleep(1_000);
            assertThat(postmasters).as("shards after SIGQUIT to the group").allMatch(ProcessHandle::isAlive);

            signalGroup(devstack, signal);
            assertThat(devstack.waitFor(45, TimeUnit.SECONDS)).as("dev mode exits after SIG" + signal).isTrue();

            List<String> lines = Files.readAllLines(output);
            Instant serviceStopped = serviceStopped(lines, output);
            assertThat(List.of(indexOf(lines, "DevStack: service stopped in "),
                    indexOf(lines, "InProcessKafkaBroker: Kafka stopped in "),
                    indexOf(lines, "PostgreSQL shard-a stopped in "), indexOf(lines, "PostgreSQL shard-b stopped in ")))
                    .as("lines of the service's, Kafka's and the shards' stops").isSorted();
            assertThat(lines).as("dev mode's output").noneMatch(line -> line.contains("had already exited"));
            for (String shard : List.of("shard-a", "shard-b")) {
                List<String> log = Files.readAllLines(DATA.resolve(shard + ".log"));
                assertThat(shutdownRequests(log)).as("%s: shutdown requests", shard).singleElement()
                        .matches(at -> at.isAfter(serviceStopped), "after the service stopped at " + serviceStopped);
                assertThat(log).as("%s log: nothing cut short", shard).noneMatch(line ->
                        line.contains("terminating connection due to administrator command")
                                || line.contains("was terminated by signal") || line.contains("immediate shutdown"));
            }
            awaitGone(children);
        } finally {
            devstack.descendants().forEach(ProcessHandle::destroyForcibly);
            devstack.destroyForcibly();
        }
    }

    /**
     * {@code setsid} makes dev mode lead a new process group, as a shell does with a foreground job; {@code env
     * --default-signal} undoes an ignored SIGINT inherited from a build run in the background, which would keep the
     * JVM from ever installing its handler.
     */
    private static Process start(Path output, int[] ports) throws IOException {
        Files.createDirectories(DATA);
        Files.deleteIfExists(DATA.resolve("shard-a.log"));
        Files.deleteIfExists(DATA.resolve("shard-b.log"));
        ProcessBuilder builder = new ProcessBuilder("setsid", "env", "--default-signal=INT,QUIT,HUP",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", Path.of("target", "hookshard-devstack.jar").toAbsolutePath().toString(), "config.yml")
                .directory(REPOSITORY.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        Map<String, String> environment = builder.environment();
        List.of("KAFKA_BROKERS", "SHARD_A_URL", "SHARD_B_URL").forEach(environment::remove);
        environment.put("HOOKSHARD_DEV_DATA", DATA.toString());
        environment.put(DevPorts.KAFKA, Integer.toString(ports[0]));
        environment.put(DevPorts.KAFKA_CONTROLLER, Integer.toString(ports[1]));
        environment.put(DevPorts.SHARD_A, Integer.toString(ports[2]));
        environment.put(DevPorts.SHARD_B, Integer.toString(ports[3]));
        environment.put("HOOKSHARD_PORT", Integer.toString(ports[4]));
        environment.put("HOOKSHARD_ADMIN_PORT", Integer.toString(ports[5]));
        Process process = builder.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }));
        return process;
    }

    private static void awaitHealthy(Process devstack, int adminPort, Path output) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/healthcheck"))
                .timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (System.nanoTime() < deadline) {
            if (!devstack.isAlive()) {
                fail("dev mode exited during startup:\n" + Files.readString(output));
            }
            try {
                if (client.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException starting) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        fail("dev mode was not healthy within 180 s:\n" + Files.readString(output));
    }

    /** As a terminal does: the signal goes to every process in dev mode's process group. */
    private static void signalGroup(Process devstack, String signal) throws Exception {
        int exit = new ProcessBuilder("kill", "-" + signal, "--", "-" + devstack.pid()).inheritIO().start().waitFor();
        assertThat(exit).as("kill -%s -%d", signal, devstack.pid()).isZero();
    }

    private static Instant serviceStopped(List<String> lines, Path output) {
        for (String line : lines) {
            Matcher matcher = SERVICE_STOPPED.matcher(line);
            if (matcher.matches()) {
                return LocalDateTime.parse(matcher.group(1), SERVICE_TIME).toInstant(ZoneOffset.UTC);
            }
        }
        return fail("no 'service stopped' line in " + output);
    }

    private static List<Instant> shutdownRequests(List<String> log) {
        return log.stream().map(SHUTDOWN_REQUEST::matcher).filter(Matcher::matches)
                .map(matcher -> LocalDateTime.parse(matcher.group(1), POSTGRES_TIME).toInstant(ZoneOffset.UTC))
                .toList();
    }

    private static int indexOf(List<String> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i;
            }
        }
        return fail("no line with '" + text + "'");
    }

    private static void awaitGone(List<ProcessHandle> processes) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (processes.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(processes).as("dev mode's child processes after it exited").noneMatch(ProcessHandle::isAlive);
    }
}
