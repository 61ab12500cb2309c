package io.hookshard.devstack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What a data directory's postmaster.pid says: the postmaster's pid (line 1), its data directory (line 2) and its port
 * (line 4). The file outlives a postmaster killed with SIGKILL, so it says who ran there, not that it still runs.
 */
record PostmasterPid(long pid, Path dataDirectory, int port) {
    static final String FILE = "postmaster.pid";

    /** Empty when the directory holds no postmaster.pid, or one PostgreSQL is still writing. */
    static Optional<PostmasterPid> read(Path dataDirectory) throws IOException {
        try {
            return parse(Files.readAllLines(dataDirectory.resolve(FILE), StandardCharsets.UTF_8));
        } catch (NoSuchFileException none) {
            return Optional.empty();
        }
    }

    static Optional<PostmasterPid> parse(List<String> lines) {
        if (lines.size() < 4) {
            return Optional.empty();
        }
        try {
            return Optional.of(new PostmasterPid(Long.parseLong(lines.get(0).strip()), Path.of(lines.get(1).strip()),
                    Integer.parseInt(lines.get(3).strip())));
        } catch (RuntimeException notAPostmasterPid) {
            // a half-written file, or not PostgreSQL's: nothing to go by
            return Optional.empty();
        }
    }
}
