package io.hookshard.processing;

import java.sql.SQLException;

/**
 * Sorts database failures into those a retry can cure and those it cannot. When in doubt a failure is transient:
 * a wrong "transient" costs a retry and an alert, a wrong "permanent" sends a good event to the dead-letter topic.
 */
public final class Failures {
    private Failures() {
    }

    public static boolean isPermanent(Throwable failure) {
        String state = sqlState(failure);
        // Class 22: data exception (e.g. a date timestamptz cannot hold); class 23: integrity constraint violation.
        return state != null && (state.startsWith("22") || state.startsWith("23"));
    }

    public static String sqlState(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return null;
    }
}
