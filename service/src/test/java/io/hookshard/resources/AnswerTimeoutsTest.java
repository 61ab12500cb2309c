package io.hookshard.resources;

import org.junit.jupiter.api.Test;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class AnswerTimeoutsTest {
    @Test
    void dropsACancelledTimeoutAtOnceInsteadOfKeepingItUntilItWouldFire() {
        AnswerTimeouts timeouts = new AnswerTimeouts();
        try {
            ScheduledThreadPoolExecutor executor = (ScheduledThreadPoolExecutor) timeouts.getExecutorService();
            ScheduledFuture<?> guard = executor.schedule(() -> { }, 10, TimeUnit.SECONDS);

            guard.cancel(false);

            assertThat(executor.getQueue()).isEmpty();
        } finally {
            timeouts.close();
        }
    }
}
