package io.hookshard.devstack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ShardPostmasterTest {
    private static final Path SHARD_A = Path.of("/work/.dev-data/shard-a");

    @Test
    void aPostmasterOnTheShardsDirectoryIsTheShard() {
        assertThat(ShardPostmaster.runsPostgresOn("/tmp/pg/bin/postgres",
                List.of("-D", "/work/.dev-data/shard-a", "-p", "54321"), SHARD_A)).isTrue();
        assertThat(ShardPostmaster.runsPostgresOn("", List.of("-D", "/work/.dev-data/./shard-a"), SHARD_A))
                .as("command unreadable: the arguments decide").isTrue();
    }

    @Test
    void aReusedPidOrAnotherDirectoryIsNotTheShard() {
        assertThat(ShardPostmaster.runsPostgresOn("/usr/bin/python3", List.of("-D", "/work/.dev-data/shard-a"),
                SHARD_A)).isFalse();
        assertThat(ShardPostmaster.runsPostgresOn("/tmp/pg/bin/postgres", List.of("-D", "/work/.dev-data/shard-b"),
                SHARD_A)).isFalse();
        assertThat(ShardPostmaster.runsPostgresOn("/tmp/pg/bin/postgres", List.of("-D"), SHARD_A)).isFalse();
        assertThat(ShardPostmaster.runsPostgresOn("/tmp/pg/bin/postgres", List.of(), SHARD_A)).isFalse();
    }

    @Test
    void aPostmasterWhoseParentIsAJvmBelongsToADevModeStillRunning() {
        assertThat(ShardPostmaster.isJava("/usr/lib/jvm/java-17/bin/java")).isTrue();
        assertThat(ShardPostmaster.isJava("/sbin/init")).isFalse();
        assertThat(ShardPostmaster.isJava("")).isFalse();
    }

    @Test
    void aZombieHasExitedThoughItsReaperHasNotCollectedIt() {
        assertThat(ShardPostmaster.isZombie("30728 (postgres) Z 1 30728 30728 0 -1 4228164")).isTrue();
        assertThat(ShardPostmaster.isZombie("30728 (postgres) S 1 30728 30728 0 -1 4228164")).isFalse();
        assertThat(ShardPostmaster.isZombie("42 (a) b) R 1 42")).isFalse();
        assertThat(ShardPostmaster.isZombie("")).isFalse();
    }

    @Test
    void aStalePostmasterPidNamesNoRunningShard(@TempDir Path directory) throws Exception {
        long gone = new ProcessBuilder("true").start().onExit().get().pid();
        Files.writeString(directory.resolve(PostmasterPid.FILE), gone + "\n" + directory + "\n0\n5432\n");

        assertThat(ShardPostmaster.find("shard-a", directory)).isEmpty();
    }
}
