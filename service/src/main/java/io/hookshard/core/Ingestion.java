package io.hookshard.core;

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
}
