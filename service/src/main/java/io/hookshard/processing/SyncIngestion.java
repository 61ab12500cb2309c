package io.hookshard.processing;

import io.hookshard.core.Envelope;
import io.hookshard.core.EventType;
import io.hookshard.core.IngestException;
import io.hookshard.core.Ingestion;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Sync mode: the webhook is applied to its shard by the same sinks the consumers use, in the request, and answered
 * 200 once committed. Nothing goes through Kafka; what cannot be applied now is answered 503 so the provider retries.
 */
public final class SyncIngestion implements Ingestion {
    private final Map<EventType, EventSink> sinks;

    public SyncIngestion(List<EventSink> sinks) {
        this.sinks = sinks.stream().collect(java.util.stream.Collectors.toUnmodifiableMap(EventSink::type, s -> s));
    }

    @Override
    public CompletionStage<Result> ingest(Envelope envelope) {
        Outcome outcome = sinks.get(envelope.type()).apply(List.of(envelope)).get(0);
        return switch (outcome.kind()) {
            case APPLIED -> CompletableFuture.completedFuture(new Result(200, "applied"));
            case DUPLICATE -> CompletableFuture.completedFuture(new Result(200, "duplicate"));
            case NOT_YET -> CompletableFuture.failedFuture(new IngestException(503, outcome.reason(),
                    outcome.detail() + "; retry later", 30));
            // A different event under an id already used is the provider's conflict, not a malformed body.
            case PERMANENT -> CompletableFuture.failedFuture(new IngestException(
                    Outcome.CONFLICTING_REDELIVERY.equals(outcome.reason()) ? 409 : 422, outcome.reason(),
                    outcome.detail(), 0));
            default -> CompletableFuture.failedFuture(new IngestException(503, outcome.reason(),
                    "the event could not be confirmed as stored now; it may still be stored, and a retry of it is"
                            + " applied once: retry later", 5));
        };
    }
}
