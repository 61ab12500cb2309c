package io.hookshard.devstack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PostmasterPidTest {
    @Test
    void readsPidDataDirectoryAndPortAsPostgresWritesThem() {
        List<String> lines = List.of("26495", "/work/.dev-data/shard-a", "1795168800", "54321", "", "127.0.0.1",
                "  5432001    163841", "ready   ");

        assertThat(PostmasterPid.parse(lines))
                .contains(new PostmasterPid(26495, Path.of("/work/.dev-data/shard-a"), 54321));
    }

    @Test
    void aHalfWrittenOrForeignFileSaysNothing() {
        assertThat(PostmasterPid.parse(List.of("26495", "/work/.dev-data/shard-a"))).isEmpty();
        assertThat(PostmasterPid.parse(List.of("not a pid", "/data", "0", "54321"))).isEmpty();
        assertThat(PostmasterPid.parse(List.of("26495", "/data", "0", ""))).isEmpty();
    }

    @Test
    void aDataDirectoryWithoutPostmasterPidSaysNothing(@TempDir Path directory) throws Exception {
        assertThat(PostmasterPid.read(directory)).isEmpty();

        Files.writeString(directory.resolve(PostmasterPid.FILE), "7\n" + directory + "\n0\n5432\n");
        assertThat(PostmasterPid.read(directory)).contains(new PostmasterPid(7, directory, 5432));
    }
}
