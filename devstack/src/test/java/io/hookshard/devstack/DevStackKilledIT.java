package io.hookshard.devstack;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Dev mode killed with {@code kill -9} leaves its shards running (they run in sessions of their own). The same
 * command run again recognises them as its own leftovers on the same data, stops them and starts as usual, the data
 * kept. The shards of a dev mode still running are not leftovers, and a port held by anything else is no shard of
 * ours: both are refused in one line, exit status 2.
 */
class DevStackKilledIT {
    private final DevModeRun devMode = new DevModeRun("devstack-killed-it");

    @Test
    void startAfterKillDashNineStopsTheLeftoverShardsAndKeepsTheirData() throws Exception {
        devMode.deleteData();
        Process killed = devMode.start("killed");
        List<ProcessHandle> leftovers;
        List<String> orders;
        try {
            devMode.awaitHealthy(killed, "killed");
            orders = devMode.postOrders("before-kill", 10);
            devMode.awaitReadable(orders);
            leftovers = DevModeRun.postmasters(killed);
            assertThat(leftovers).as("the shards are direct children of dev mode").hasSize(2);

            Process second = devMode.start("second");
            assertThat(second.waitFor(120, TimeUnit.SECONDS)).as("a second dev mode on the same data exits").isTrue();
            assertThat(second.exitValue()).as("exit status of a second dev mode on the same data").isEqualTo(2);
            assertThat(Files.readString(devMode.output("second")))
                    .contains("shard-a (pid " + devMode.postmasterPid("shard-a") + ") belongs to a dev mode still"
                            + " running (pid " + killed.pid() + ")");
            assertThat(leftovers).as("the running dev mode's shards").allMatch(ProcessHandle::isAlive);
        } catch (Throwable failed) {
            DevModeRun.stop(killed);
            throw failed;
        }
        killed.destroyForcibly();
        assertThat(killed.waitFor(30, TimeUnit.SECONDS)).as("dev mode exits after SIGKILL").isTrue();
        try {
            Thread.sleep(1_000);
            assertThat(leftovers).as("shards after dev mode's SIGKILL").allMatch(ProcessHandle::isAlive);
            long shardA = devMode.postmasterPid("shard-a");

            Process again = devMode.start("again");
            try {
                devMode.awaitHealthy(again, "again");
                assertThat(Files.readAllLines(devMode.output("again")))
                        .anyMatch(line -> line.endsWith("shard-a is still running from a dev mode that was killed (pid "
                                + shardA + "); stopping it first"))
                        .anyMatch(line -> line.contains("shard-b is still running from a dev mode that was killed"))
                        .noneMatch(line -> line.contains("BindException") || line.contains("IllegalStateException"));
                DevModeRun.awaitGone(leftovers);
                assertThat(DevModeRun.postmasters(again)).hasSize(2);
                devMode.awaitReadable(orders);
            } finally {
                DevModeRun.stop(again);
            }
        } finally {
            leftovers.forEach(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void aShardPortTakenByAnotherProgramIsRefusedInOneLine() throws Exception {
        DevModeRun devMode = new DevModeRun("devstack-refused-it");
        devMode.deleteData();
        int port = devMode.port(DevPorts.SHARD_B);
        try (ServerSocket other = new ServerSocket()) {
            other.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            Process refused = devMode.start("refused");
            try {
                assertThat(refused.waitFor(120, TimeUnit.SECONDS)).as("dev mode exits").isTrue();
                String output = Files.readString(devMode.output("refused"));
                assertThat(refused.exitValue()).as(output).isEqualTo(2);
                assertThat(output).as("no stack trace").doesNotContain("Exception").doesNotContain("\tat ");
                List<String> lines = output.lines().toList();
                assertThat(lines.get(lines.size() - 1)).isEqualTo("port " + port + " (wanted by PostgreSQL shard-b) is"
                        + " already taken on 127.0.0.1 by another program; stop whatever listens there, or move"
                        + " PostgreSQL shard-b with " + DevPorts.SHARD_B + "=<port>");
            } finally {
                refused.descendants().forEach(ProcessHandle::destroyForcibly);
                refused.destroyForcibly();
            }
        }
    }
}
