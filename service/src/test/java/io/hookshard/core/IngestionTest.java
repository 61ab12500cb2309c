package io.hookshard.core;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IngestionTest {
    private final Envelope first = envelope("a");
    private final Envelope second = envelope("b");
    private final Envelope third = envelope("c");

    @Test
    void aBatchIsAnsweredOnlyOnceItsSlowestItemIsStored() {
        Map<Envelope, CompletableFuture<Ingestion.Result>> acks = acks();
        CompletableFuture<List<Ingestion.Result>> all = ingestion(acks).ingestAll(List.of(first, second, third))
                .toCompletableFuture();

        acks.get(third).complete(new Ingestion.Result(202, "accepted"));
        acks.get(first).complete(new Ingestion.Result(202, "accepted"));
        assertThat(all).isNotDone();

        acks.get(second).complete(new Ingestion.Result(202, "accepted"));
        assertThat(all.join()).hasSize(3);
    }

    @Test
    void aBatchWithOneItemNotStoredFailsButOnlyOnceEveryOtherItemIsSettled() {
        Map<Envelope, CompletableFuture<Ingestion.Result>> acks = acks();
        CompletableFuture<List<Ingestion.Result>> all = ingestion(acks).ingestAll(List.of(first, second, third))
                .toCompletableFuture();

        acks.get(second).completeExceptionally(new IngestException(503, "broker_unavailable", "not stored", 5));
        // The answer waits for the others: answering now would let the provider retry while they are in flight.
        assertThat(all).isNotDone();
        acks.get(first).complete(new Ingestion.Result(202, "accepted"));
        acks.get(third).complete(new Ingestion.Result(202, "accepted"));

        assertThatThrownBy(all::join).isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(IngestException.class).hasMessage("not stored");
    }

    private Map<Envelope, CompletableFuture<Ingestion.Result>> acks() {
        return Map.of(first, new CompletableFuture<>(), second, new CompletableFuture<>(),
                third, new CompletableFuture<>());
    }

    private static Ingestion ingestion(Map<Envelope, CompletableFuture<Ingestion.Result>> acks) {
        return new Ingestion() {
            @Override
            public CompletionStage<Result> ingest(Envelope envelope) {
                return acks.get(envelope);
            }
        };
    }

    private static Envelope envelope(String key) {
        return new Envelope(UUID.randomUUID(), key, EventType.ORDER_PAYMENT, null, Instant.now(), null, "{}");
    }
}
