package io.hookshard.kafka;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.hookshard.core.Envelope;
import io.hookshard.core.EnvelopeCodec;
import io.hookshard.core.InvalidEventException;
import io.hookshard.processing.EventSink;
import io.hookshard.processing.Outcome;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a batch of records into shard writes. Records that can never succeed are dead-lettered on the way; those
 * that may succeed later are handed back to the worker, which keeps them and holds its commits below them.
 */
final class BatchHandler {
    private static final Logger LOG = LoggerFactory.getLogger(BatchHandler.class);

    /** A record to try again later, and why. */
    record Retry(ConsumerRecord<byte[], byte[]> record, Outcome outcome) {
    }

    private final EnvelopeCodec codec;
    private final EventSink sink;
    private final DeadLetters deadLetters;
    private final Parking parking;
    private final Counter applied;
    private final Counter duplicates;
    private final Counter deadLettered;
    private final Counter retried;
    private final Counter parked;
    private final Timer batchTimer;
    private final Timer endToEnd;

    BatchHandler(EnvelopeCodec codec, EventSink sink, DeadLetters deadLetters, Parking parking, MetricRegistry metrics,
                 String topic) {
        this.codec = codec;
        this.sink = sink;
        this.deadLetters = deadLetters;
        this.parking = parking;
        String prefix = MetricRegistry.name("hookshard", "consumer", topic);
        this.applied = metrics.counter(MetricRegistry.name(prefix, "applied"));
        this.duplicates = metrics.counter(MetricRegistry.name(prefix, "duplicates"));
        this.deadLettered = metrics.counter(MetricRegistry.name(prefix, "dead-lettered"));
        this.retried = metrics.counter(MetricRegistry.name(prefix, "retried"));
        this.parked = metrics.counter(MetricRegistry.name(prefix, "parked"));
        this.batchTimer = metrics.timer(MetricRegistry.name(prefix, "batch"));
        // From the webhook's received_at to its commit in the shard.
        this.endToEnd = metrics.timer(MetricRegistry.name(prefix, "end-to-end"));
    }

    /**
     * Applies the records (dead-lettering those that can never succeed) and returns those to try again, in input
     * order. Everything not returned is done: applied, a duplicate, or acknowledged by the dead-letter topic.
     */
    List<Retry> handle(List<ConsumerRecord<byte[], byte[]>> records) throws InterruptedException {
        Map<ConsumerRecord<byte[], byte[]>, Envelope> envelopes = new HashMap<>();
        Map<ConsumerRecord<byte[], byte[]>, Outcome> outcomes = apply(records, envelopes);
        List<Retry> retries = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            Outcome outcome = outcomes.get(record);
            if (outcome.kind() == Outcome.Kind.PERMANENT || outcome.kind() == Outcome.Kind.NOT_YET) {
                outcome = setAside(record, envelopes.get(record), outcome);
            }
            if (outcome.isRetryable()) {
                retried.inc();
                retries.add(new Retry(record, outcome));
            } else {
                counterOf(outcome.kind()).inc();
                if (outcome.kind() == Outcome.Kind.APPLIED) {
                    endToEnd.update(java.time.Duration.between(envelopes.get(record).receivedAt(), Instant.now()));
                }
            }
        }
        return retries;
    }

    private Counter counterOf(Outcome.Kind kind) {
        return switch (kind) {
            case APPLIED -> applied;
            case DUPLICATE -> duplicates;
            case PARKED -> parked;
            default -> deadLettered;
        };
    }

    private Map<ConsumerRecord<byte[], byte[]>, Outcome> apply(List<ConsumerRecord<byte[], byte[]>> all,
                                                               Map<ConsumerRecord<byte[], byte[]>, Envelope> decoded) {
        Map<ConsumerRecord<byte[], byte[]>, Outcome> outcomes = new HashMap<>();
        List<ConsumerRecord<byte[], byte[]>> decodedRecords = new ArrayList<>();
        List<Envelope> envelopes = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : all) {
            try {
                Envelope envelope = codec.decode(record.value());
                envelopes.add(envelope);
                decoded.put(record, envelope);
                decodedRecords.add(record);
            } catch (InvalidEventException e) {
                outcomes.put(record, Outcome.permanent(e.reason(), e.getMessage()));
            }
        }
        try (Timer.Context ignored = batchTimer.time()) {
            List<Outcome> applied = sink.apply(envelopes);
            for (int i = 0; i < applied.size(); i++) {
                outcomes.put(decodedRecords.get(i), applied.get(i));
            }
        }
        return outcomes;
    }

    /** Dead-letters (PERMANENT) or parks (NOT_YET) a record; a failure to do so makes it a transient failure. */
    private Outcome setAside(ConsumerRecord<byte[], byte[]> record, Envelope envelope, Outcome outcome)
            throws InterruptedException {
        String eventId = envelope == null ? null : envelope.eventId().toString();
        String eventType = envelope == null ? null : envelope.type().wireName();
        try {
            if (outcome.kind() == Outcome.Kind.NOT_YET) {
                return parking.park(record, outcome, eventId, eventType);
            }
            Instant now = Instant.now();
            deadLetters.send(record, new DeadLetters.Failure(eventId, eventType,
                    DeadLetters.previousAttempts(record) + 1, DeadLetters.firstFailure(record, now), now,
                    outcome.reason(), outcome.detail()));
            return outcome.deadLettered();
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            LOG.warn("could not set {}-{}@{} aside ({}), will retry: {}", record.topic(), record.partition(),
                    record.offset(), outcome.reason(), e.toString());
            return Outcome.transientFailure("kafka", e);
        }
    }
}
