package io.hookshard.kafka;

import io.hookshard.core.Envelope;
import io.hookshard.core.EventType;
import io.hookshard.core.IngestException;
import io.hookshard.core.Ingestion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.CompletionStage;

/** Kafka mode: 202 once the broker has acknowledged the envelope durably; 503 when it cannot within the timeout. */
public final class KafkaIngestion implements Ingestion {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaIngestion.class);
    private static final Result ACCEPTED = new Result(202, "accepted");
    static final String UNCONFIRMED = "the event could not be confirmed as stored durably in time; it may still be"
            + " stored, and a retry of it is applied once: retry later";

    private final EnvelopePublisher publisher;
    private final Map<EventType, String> topics;

    public KafkaIngestion(EnvelopePublisher publisher, Map<EventType, String> topics) {
        this.publisher = publisher;
        this.topics = Map.copyOf(topics);
    }

    @Override
    public CompletionStage<Result> ingest(Envelope envelope) {
        return publisher.publish(topics.get(envelope.type()), envelope).handle((metadata, failure) -> {
            if (failure != null) {
                // A send still in flight when the timeout struck may yet be written: the 503 promises no more than
                // that the event is unconfirmed, and the retry it asks for is applied once either way (the inbox).
                LOG.warn("could not confirm {} event_id={} in Kafka, answered 503 (the record may still be written;"
                                + " the provider's retry is deduplicated): {}", envelope.type().wireName(),
                        envelope.eventId(), failure.toString());
                throw new IngestException(503, "broker_unavailable", UNCONFIRMED, 5);
            }
            LOG.debug("accepted {} event_id={} at {}-{}@{}", envelope.type().wireName(), envelope.eventId(),
                    metadata.topic(), metadata.partition(), metadata.offset());
            return ACCEPTED;
        });
    }
}
