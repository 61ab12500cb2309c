package io.hookshard.resources;

import org.glassfish.jersey.spi.ScheduledThreadPoolExecutorProvider;
import org.glassfish.jersey.server.BackgroundScheduler;

import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;

/**
 * Jersey's scheduler of suspended requests' timeouts, which drops a timeout as soon as its request is answered.
 * Jersey's own keeps every cancelled timeout queued until it would have fired: each webhook's guard (the produce
 * timeout and 5 s) stayed in memory 10 s after its 202, about 50,000 of them at 5,000 webhooks/s, held by a queue in
 * the old generation that every young collection then had to scan (BENCHMARKS.md, session of 2026-11-25 06:30).
 */
@BackgroundScheduler
public final class AnswerTimeouts extends ScheduledThreadPoolExecutorProvider {
    public static final String THREAD_NAME = "hookshard-answer-timeouts";

    public AnswerTimeouts() {
        super(THREAD_NAME);
    }

    /** One thread, as Jersey's own: it only fires the rare timeout (its default would be one per core). */
    @Override
    protected int getCorePoolSize() {
        return 1;
    }

    @Override
    protected ScheduledThreadPoolExecutor createExecutor(int corePoolSize, ThreadFactory threadFactory,
                                                         RejectedExecutionHandler handler) {
        ScheduledThreadPoolExecutor executor = super.createExecutor(corePoolSize, threadFactory, handler);
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }
}
