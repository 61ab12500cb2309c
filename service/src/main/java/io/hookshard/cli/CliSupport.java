package io.hookshard.cli;

import java.io.PrintWriter;
import java.util.Arrays;

/** What the commands share: how they read a secret variable, and how they tell a failure. */
final class CliSupport {
    private CliSupport() {
    }

    /** The first secret of a comma-separated variable's value (the one in force while secrets rotate). */
    static String firstSecret(String value, String variable) {
        return Arrays.stream(value == null ? new String[0] : value.split(",")).map(String::trim)
                .filter(secret -> !secret.isEmpty()).findFirst().orElseThrow(() ->
                        new IllegalArgumentException("set " + variable + " to the secret to sign with"));
    }

    /**
     * A failed command prints what went wrong and its causes, one line each, and exits 1: a stack trace tells an
     * operator who mistyped an argument nothing more. An Error (a bug, or the JVM in trouble) keeps its stack trace.
     */
    static void printError(PrintWriter err, Throwable failure) {
        if (failure instanceof Error) {
            failure.printStackTrace(err);
            return;
        }
        err.println("error: " + describe(failure));
        for (Throwable cause = failure.getCause(); cause != null && cause != cause.getCause();
             cause = cause.getCause()) {
            err.println("  because: " + describe(cause));
        }
    }

    private static String describe(Throwable failure) {
        boolean plain = failure instanceof IllegalArgumentException || failure instanceof IllegalStateException;
        String message = failure.getMessage() == null ? "" : failure.getMessage();
        return plain && !message.isEmpty() ? message
                : failure.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
    }
}
