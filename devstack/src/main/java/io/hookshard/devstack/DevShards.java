package io.hookshard.devstack;

import java.nio.file.Files;
import java.nio.file.Path;

/** How dev mode names its shards (shard-a, shard-b, shard-c, ...) and how many it runs. */
final class DevShards {
    static final int DEFAULT = 2;
    static final int MAX = 26;

    private DevShards() {
    }

    static String letter(int index) {
        if (index < 0 || index >= MAX) {
            throw new IllegalArgumentException("dev mode runs 1 to " + MAX + " shards, not " + (index + 1));
        }
        return String.valueOf((char) ('a' + index));
    }

    static String id(int index) {
        return "shard-" + letter(index);
    }

    /**
     * The shards to run: as many as asked, or else as many as the data directory already holds (at least
     * {@value #DEFAULT}), so that a shard added once is not left out by the next plain start.
     */
    static int count(Integer asked, Path data) {
        if (asked != null) {
            letter(asked - 1);
            return asked;
        }
        int present = 0;
        while (present < MAX && Files.isDirectory(data.resolve(id(present)))) {
            present++;
        }
        return Math.max(DEFAULT, present);
    }
}
