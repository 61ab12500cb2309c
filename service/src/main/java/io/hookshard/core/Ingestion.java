package io.hookshard.core;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where an admitted webhook goes: into Kafka (answer 202 once durably stored) or, in sync mode, straight into its
 * shard (answer 200 once committed). A stage that fails with {@link IngestException} says what to answer instead.
 */
public interface Ingestion {
    /** The answer to give: its HTTP status and the word for what happened. */
    record Result(int status, String state) {
    }

    CompletionStage<Result> ingest(Envelope envelope);

    /**
     * Ingests every envelope of one request (a provider's batch) and completes only once each one has: with every
     * result, in input order, or with the failure of the first that failed. So a batch is answered as stored only
     * when all of it is; a failed batch may be partly stored, which is harmless since the provider retries all of it
     * and the inbox admits each event once.
     */
    default CompletionStage<List<Result>> ingestAll(List<Envelope> envelopes) {
        List<CompletableFuture<Result>> stages = envelopes.stream()
                .map(envelope -> ingest(envelope).toCompletableFuture()).toList();
        return CompletableFuture.allOf(stages.toArray(CompletableFuture[]::new))
                .handle((ignored, failure) -> stages.stream().map(CompletableFuture::join).toList());
    }
}
