package io.hookshard.consume;

import io.hookshard.processing.Outcome;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;

/**
 * Parks events that cannot be applied yet (a chargeback before its order) in {@code <topic>.retry}, so that their
 * partition keeps flowing: the original key and value byte for byte, with the attempt count, the first and last
 * failure and when it was parked. The parked records' worker ({@link ParkedFlow}) holds them, applies them as soon
 * as what they wait for arrives, re-parks those that wait long, and dead-letters them after the park window. Every
 * write goes into the worker's {@link SetAsides} transaction and counts once that commits.
 */
public final class Parking {
    /** When the record was first parked; the park window counts from here. A replay starts it afresh. */
    public static final String PARKED_AT = "hookshard-parked-at";
    private static final Logger LOG = LoggerFactory.getLogger(Parking.class);

    private final DeadLetters deadLetters;
    private final Clock clock;

    public Parking(DeadLetters deadLetters, Clock clock) {
        this.deadLetters = deadLetters;
        this.clock = clock;
    }

    /** Parks a record that arrived on its webhook topic (or came back from a replay). */
    Outcome park(SetAsides transaction, ConsumerRecord<byte[], byte[]> record, Outcome notYet, String eventId,
                 String eventType) {
        Instant now = clock.instant();
        Headers headers = new RecordHeaders(record.headers().toArray());
        DeadLetters.Origin origin = DeadLetters.Origin.of(record);
        origin.writeTo(headers);
        DeadLetters.put(headers, DeadLetters.EVENT_ID, eventId);
        DeadLetters.put(headers, DeadLetters.EVENT_TYPE, eventType);
        DeadLetters.put(headers, DeadLetters.ATTEMPTS, Integer.toString(DeadLetters.previousAttempts(record) + 1));
        DeadLetters.put(headers, DeadLetters.FIRST_FAILURE_AT, DeadLetters.firstFailure(record, now).toString());
        DeadLetters.put(headers, DeadLetters.LAST_FAILURE_AT, now.toString());
        DeadLetters.put(headers, DeadLetters.ERROR_CLASS, notYet.reason());
        DeadLetters.put(headers, DeadLetters.ERROR_MESSAGE, notYet.detail());
        DeadLetters.put(headers, PARKED_AT, parkedAt(record, now).toString());
        String retryTopic = TopicNames.retry(origin.topic());
        transaction.send(new ProducerRecord<>(retryTopic, null, record.key(), record.value(), headers),
                () -> LOG.info("parked {} event_id={} in {}: {}", eventType, eventId, retryTopic, notYet.detail()));
        return notYet.parked();
    }

    /** Appends a parked record again, one attempt further, so that its old offset can be committed. */
    void repark(SetAsides transaction, ConsumerRecord<byte[], byte[]> parked) {
        Headers headers = new RecordHeaders(parked.headers().toArray());
        int attempts = DeadLetters.previousAttempts(parked) + 1;
        DeadLetters.put(headers, DeadLetters.ATTEMPTS, Integer.toString(attempts));
        DeadLetters.put(headers, DeadLetters.LAST_FAILURE_AT, clock.instant().toString());
        transaction.send(new ProducerRecord<>(parked.topic(), null, parked.key(), parked.value(), headers),
                () -> LOG.debug("re-parked {}-{}@{} (attempt {})", parked.topic(), parked.partition(),
                        parked.offset(), attempts));
    }

    /** Dead-letters a parked record whose window ran out with what it waited for still absent. */
    void expire(SetAsides transaction, ConsumerRecord<byte[], byte[]> parked, String detail) {
        Instant now = clock.instant();
        deadLetters.send(transaction, parked, new DeadLetters.Failure(DeadLetters.header(parked.headers(), DeadLetters.EVENT_ID),
                DeadLetters.header(parked.headers(), DeadLetters.EVENT_TYPE), DeadLetters.previousAttempts(parked) + 1,
                DeadLetters.firstFailure(parked, now), now,
                String.valueOf(DeadLetters.header(parked.headers(), DeadLetters.ERROR_CLASS)), detail));
    }

    /** When a record was first parked: its header, or for records parked before the header existed, its first failure. */
    static Instant parkedAt(ConsumerRecord<byte[], byte[]> record, Instant fallback) {
        String value = DeadLetters.header(record.headers(), PARKED_AT);
        try {
            return value == null ? DeadLetters.firstFailure(record, fallback) : Instant.parse(value);
        } catch (RuntimeException e) {
            return fallback;
        }
    }
}
