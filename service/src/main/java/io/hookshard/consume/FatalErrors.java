package io.hookshard.consume;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a worker does with an {@link Error} such as OutOfMemoryError: stop the process at once, with one line that
 * says why. A JVM in that state cannot be trusted to write or commit; what was not committed is read again by the
 * group, so halting loses nothing, while limping on could.
 */
public final class FatalErrors {
    private static final Logger LOG = LoggerFactory.getLogger(FatalErrors.class);
    /** The exit status of a halt for an Error (EX_SOFTWARE). */
    public static final int EXIT_STATUS = 70;

    private FatalErrors() {
    }

    public static void halt(Error error) {
        try {
            LOG.error("FATAL: {} on thread {}; halting the process (exit {}) so that it restarts clean; uncommitted"
                    + " records will be read again", error, Thread.currentThread().getName(), EXIT_STATUS, error);
            System.err.println("FATAL: " + error + "; halting (exit " + EXIT_STATUS + ")");
        } finally {
            Runtime.getRuntime().halt(EXIT_STATUS);
        }
    }
}
