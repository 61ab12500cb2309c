package io.hookshard.cli;

import io.dropwizard.configuration.ConfigurationException;
import org.apache.kafka.common.KafkaException;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.DateTimeException;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;

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
     * operator who mistyped an argument, named a shard that is not configured or whose broker is down nothing more.
     * Anything else (a bug, the JVM in trouble) keeps its stack trace.
     */
    static void printError(PrintWriter err, Throwable failure) {
        err.println("error: " + describe(failure));
        for (Throwable cause = failure.getCause(); cause != null && cause != cause.getCause();
             cause = cause.getCause()) {
            err.println("  because: " + describe(cause));
        }
        if (!expected(failure)) {
            failure.printStackTrace(err);
        }
        err.flush();
    }

    private static boolean expected(Throwable failure) {
        return failure instanceof IllegalArgumentException || failure instanceof IllegalStateException
                || failure instanceof IOException || failure instanceof UncheckedIOException
                || failure instanceof DateTimeException || failure instanceof ConfigurationException
                || failure instanceof KafkaException || failure instanceof ExecutionException;
    }

    private static String describe(Throwable failure) {
        boolean plain = failure instanceof IllegalArgumentException || failure instanceof IllegalStateException;
        String message = failure.getMessage() == null ? "" : failure.getMessage();
        return plain && !message.isEmpty() ? message
                : failure.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
    }
}
