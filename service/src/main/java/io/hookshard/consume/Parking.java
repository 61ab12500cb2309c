package io.hookshard.consume;

import io.hookshard.processing.Outcome;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Parks events that cannot be applied yet (a chargeback before its order) in {@code <topic>.retry}, so that their
 * partition keeps flowing: the original key and value byte for byte, with the attempt count, the first and last
 * failure and the time before which the retry worker leaves the record alone. After the window (24 h by default)
 * the event goes to the dead-letter topic with the reason it kept failing for.
 */
public final class Parking {
    public static final String NOT_BEFORE = "hookshard-not-before";
    private static final Logger LOG = LoggerFactory.getLogger(Parking.class);

    private final Producer<byte[], byte[]> producer;
    private final Duration ackTimeout;
    private final DeadLetters deadLetters;
    private final Duration window;
    private final Backoff backoff;
    private final Clock clock;

    public Parking(Producer<byte[], byte[]> producer, Duration ackTimeout, DeadLetters deadLetters, Duration window,
                   Backoff backoff, Clock clock) {
        this.producer = producer;
        this.ackTimeout = ackTimeout;
        this.deadLetters = deadLetters;
        this.window = window;
        this.backoff = backoff;
        this.clock = clock;
    }

    /** Parks (or, past the window, dead-letters) the record; returns once the broker has acknowledged that. */
    Outcome park(ConsumerRecord<byte[], byte[]> record, Outcome notYet, String eventId, String eventType)
            throws Exception {
        Instant now = clock.instant();
        int attempts = DeadLetters.previousAttempts(record) + 1;
        Instant firstFailure = DeadLetters.firstFailure(record, now);
        if (!now.isBefore(firstFailure.plus(window))) {
            deadLetters.send(record, new DeadLetters.Failure(eventId, eventType, attempts, firstFailure, now,
                    notYet.reason(), notYet.detail() + "; still so after " + window));
            return notYet.deadLettered();
        }
        DeadLetters.Origin origin = DeadLetters.Origin.of(record);
        Headers headers = new RecordHeaders(record.headers().toArray());
        origin.writeTo(headers);
        DeadLetters.put(headers, DeadLetters.EVENT_ID, eventId);
        DeadLetters.put(headers, DeadLetters.EVENT_TYPE, eventType);
        DeadLetters.put(headers, DeadLetters.ATTEMPTS, Integer.toString(attempts));
        DeadLetters.put(headers, DeadLetters.FIRST_FAILURE_AT, firstFailure.toString());
        DeadLetters.put(headers, DeadLetters.LAST_FAILURE_AT, now.toString());
        DeadLetters.put(headers, DeadLetters.ERROR_CLASS, notYet.reason());
        DeadLetters.put(headers, DeadLetters.ERROR_MESSAGE, notYet.detail());
        Instant notBefore = now.plus(backoff.delay(attempts - 1));
        DeadLetters.put(headers, NOT_BEFORE, Long.toString(notBefore.toEpochMilli()));
        String retryTopic = TopicNames.retry(origin.topic());
        producer.send(new ProducerRecord<>(retryTopic, null, record.key(), record.value(), headers))
                .get(ackTimeout.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("parked {} event_id={} in {} (attempt {}, next try after {}): {}", eventType, eventId, retryTopic,
                attempts, notBefore, notYet.detail());
        return notYet.parked();
    }

    /** When a parked record may be tried again; 0 for a record that was never parked. */
    static long notBefore(ConsumerRecord<byte[], byte[]> record) {
        String value = DeadLetters.header(record.headers(), NOT_BEFORE);
        try {
            return value == null ? 0 : Long.parseLong(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
