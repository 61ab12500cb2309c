package io.hookshard.devstack;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ShardWatcherTest {
    @Test
    void anExitBySignalIsNamedAfterTheSignal() {
        assertThat(ShardWatcher.describe(137)).isEqualTo("killed by SIGKILL");
        assertThat(ShardWatcher.describe(139)).isEqualTo("killed by SIGSEGV");
        assertThat(ShardWatcher.describe(128 + 10)).isEqualTo("killed by signal 10");
    }

    @Test
    void anExitOfItsOwnKeepsItsCode() {
        assertThat(ShardWatcher.describe(0)).isEqualTo("exit code 0");
        assertThat(ShardWatcher.describe(1)).isEqualTo("exit code 1");
        assertThat(ShardWatcher.describe(255)).isEqualTo("exit code 255");
    }
}
