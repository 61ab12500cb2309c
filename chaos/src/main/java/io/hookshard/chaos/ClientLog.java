package io.hookshard.chaos;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * What the provider did, written as it happens, for the offline check: every event it made
 * ({@value #EVENTS}) and every request it sent, with the answer and when ({@value #REQUESTS}). Tab-separated,
 * gzipped, one line each; {@link History} reads them back.
 */
final class ClientLog implements AutoCloseable {
    static final String EVENTS = "events.tsv.gz";
    static final String REQUESTS = "requests.tsv.gz";
    static final String EVENTS_HEADER = "kind\tprovider_event_id\tuser_id\torder_id\tdispute_id\tstatus\tamount_minor"
            + "\tcurrency\treason\toccurred_at\tdigest\tbody_length";
    static final String REQUESTS_HEADER = "sent_at_ms\tanswered_at_ms\tkind\tprovider_event_id\tdigest\twebhook_id"
            + "\tinstance\tattempt\tresend\tanswer";

    private final Writer events;
    private final Writer requests;
    private boolean closed;

    ClientLog(Path directory) throws IOException {
        this.events = open(directory.resolve(EVENTS), EVENTS_HEADER);
        this.requests = open(directory.resolve(REQUESTS), REQUESTS_HEADER);
    }

    synchronized void event(PlannedEvent event) {
        if (closed) {
            return;
        }
        write(events, String.join("\t", event.kind().name(), event.providerEventId(), event.userId(),
                event.orderId(), orNone(event.disputeId()), event.status(), Long.toString(event.amountMinor()),
                event.currency(), orNone(event.reason()), event.occurredAt(), event.digest(),
                Integer.toString(event.bodyLength())));
    }

    /** @param answer the HTTP status, or what went wrong instead: {@code io:<exception>}, {@code timeout} */
    synchronized void request(long sentAtMillis, long answeredAtMillis, PlannedEvent event, String webhookId,
                              String instance, int attempt, boolean resend, String answer) {
        if (closed) {
            // An answer after the run stopped waiting for answers: the run has failed already (not drained).
            return;
        }
        write(requests, String.join("\t", Long.toString(sentAtMillis), Long.toString(answeredAtMillis),
                event.kind().name(), event.providerEventId(), event.digest(), webhookId, instance,
                Integer.toString(attempt), resend ? "1" : "0", answer));
    }

    @Override
    public synchronized void close() throws IOException {
        closed = true;
        events.close();
        requests.close();
    }

    static String orNone(String value) {
        return value == null ? "-" : value;
    }

    private static Writer open(Path file, String header) throws IOException {
        Writer writer = new BufferedWriter(new OutputStreamWriter(
                new GZIPOutputStream(Files.newOutputStream(file), 1 << 16), StandardCharsets.UTF_8), 1 << 16);
        writer.write(header);
        writer.write('\n');
        return writer;
    }

    private static void write(Writer writer, String line) {
        try {
            writer.write(line);
            writer.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the client log", e);
        }
    }
}
