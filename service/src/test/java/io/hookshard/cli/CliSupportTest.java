package io.hookshard.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CliSupportTest {
    @Test
    void aFailedCommandTellsWhatWentWrongAndWhyWithoutAStackTrace() {
        String printed = printed(new IllegalStateException("no shard shard-z in config.yml",
                new UncheckedIOException("connection refused", new IOException("port 54399"))));

        assertThat(printed.lines()).containsExactly("error: no shard shard-z in config.yml",
                "  because: UncheckedIOException: connection refused", "  because: IOException: port 54399");
    }

    @Test
    void whatNoOperatorCausedKeepsItsStackTrace() {
        assertThat(printed(new OutOfMemoryError("Java heap space"))).contains("OutOfMemoryError").contains("\tat ");
        assertThat(printed(new NullPointerException("config"))).startsWith("error: NullPointerException: config")
                .contains("\tat ");
        assertThat(printed(new IllegalArgumentException("--rate takes a positive number"))).doesNotContain("\tat ");
    }

    @Test
    void theFirstSecretIsTheFirstThatIsNotEmpty() {
        assertThat(CliSupport.firstSecret(" , whsec_a,whsec_b", "V")).isEqualTo("whsec_a");
        assertThatThrownBy(() -> CliSupport.firstSecret(",", "HOOKSHARD_WEBHOOK_SECRETS"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("set HOOKSHARD_WEBHOOK_SECRETS");
        assertThatThrownBy(() -> CliSupport.firstSecret(null, "V")).isInstanceOf(IllegalArgumentException.class);
    }

    private static String printed(Throwable failure) {
        StringWriter out = new StringWriter();
        CliSupport.printError(new PrintWriter(out, true), failure);
        return out.toString();
    }
}
