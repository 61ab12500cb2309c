package io.hookshard.devstack;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A shard's postgres killed while dev mode runs ({@code kill -9} of its postmaster, as a crash or the OOM killer
 * would): dev mode says so in one ERROR line and starts the shard again on the same data and port; the service is
 * healthy again, and the webhooks answered 202 before and while the shard was down are all stored.
 */
class DevStackShardCrashIT {
    private final DevModeRun devMode = new DevModeRun("devstack-crash-it");

    @Test
    void aShardKilledWhileDevModeRunsIsStartedAgainAndWhatWasAcceptedIsStored() throws Exception {
        devMode.deleteData();
        Process devstack = devMode.start("crash");
        try {
            devMode.awaitHealthy(devstack, "crash");
            List<String> orders = new ArrayList<>(devMode.postOrders("before", 10));
            devMode.awaitReadable(orders);

            long killed = devMode.postmasterPid("shard-a");
            assertThat(ProcessHandle.of(killed).map(ProcessHandle::destroyForcibly)).contains(true);
            orders.addAll(devMode.postOrders("while-down", 10));

            String error = devMode.awaitLine("crash", line -> line.startsWith("ERROR")
                    && line.contains("PostgreSQL shard-a exited unexpectedly (pid " + killed + ", killed by SIGKILL)")
                    && line.contains("starting it again on the same data and port"), Duration.ofSeconds(30));
            devMode.awaitLine("crash", line -> line.contains("PostgreSQL shard-a runs again"), Duration.ofSeconds(90));
            long restarted = devMode.postmasterPid("shard-a");
            assertThat(restarted).as("the new postmaster").isNotEqualTo(killed);
            assertThat(DevModeRun.postmasters(devstack)).as("dev mode's shards").hasSize(2)
                    .anyMatch(postmaster -> postmaster.pid() == restarted);
            devMode.awaitHealthy(devstack, "crash");
            devMode.awaitReadable(orders);
            assertThat(Files.readAllLines(devMode.output("crash"))).as("one ERROR line for the crash")
                    .filteredOn(line -> line.startsWith("ERROR") && line.contains("PostgreSQL shard-a"))
                    .containsExactly(error);
        } finally {
            DevModeRun.stop(devstack);
        }
        assertThat(Files.readAllLines(devMode.output("crash"))).as("after dev mode's own stop")
                .noneMatch(line -> line.contains("runs again") && line.contains("shard-b"))
                .filteredOn(line -> line.contains("PostgreSQL shard-a is up")).hasSize(2);
    }
}
