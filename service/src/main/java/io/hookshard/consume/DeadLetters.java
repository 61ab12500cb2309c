package io.hookshard.consume;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Writes what can never succeed to {@code <topic>.dlq}: the original key and value byte for byte, and the
 * circumstances in headers (see README, "Dead letters"). The write goes into the worker's {@link SetAsides}
 * transaction, which commits it together with the original's offset.
 */
public final class DeadLetters {
    public static final String ORIGINAL_TOPIC = "hookshard-original-topic";
    public static final String ORIGINAL_PARTITION = "hookshard-original-partition";
    public static final String ORIGINAL_OFFSET = "hookshard-original-offset";
    public static final String EVENT_ID = "hookshard-event-id";
    public static final String EVENT_TYPE = "hookshard-event-type";
    public static final String ATTEMPTS = "hookshard-attempts";
    public static final String FIRST_FAILURE_AT = "hookshard-first-failure-at";
    public static final String LAST_FAILURE_AT = "hookshard-last-failure-at";
    public static final String ERROR_CLASS = "hookshard-error-class";
    public static final String ERROR_MESSAGE = "hookshard-error-message";

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);
    private static final int MAX_MESSAGE_LENGTH = 2000;


    /** The circumstances of a dead letter; eventId and eventType may be null when the envelope was undecodable. */
    public record Failure(String eventId, String eventType, int attempts, Instant firstFailureAt, Instant lastFailureAt,
                          String errorClass, String errorMessage) {
    }

    /** Where a record first arrived: itself, or for a parked record, the headers it was parked with. */
    record Origin(String topic, String partition, String offset) {
        static Origin of(ConsumerRecord<byte[], byte[]> record) {
            String topic = header(record.headers(), ORIGINAL_TOPIC);
            return topic == null
                    ? new Origin(record.topic(), Integer.toString(record.partition()), Long.toString(record.offset()))
                    : new Origin(topic, header(record.headers(), ORIGINAL_PARTITION),
                    header(record.headers(), ORIGINAL_OFFSET));
        }

        void writeTo(Headers headers) {
            put(headers, ORIGINAL_TOPIC, topic);
            put(headers, ORIGINAL_PARTITION, partition);
            put(headers, ORIGINAL_OFFSET, offset);
        }
    }

    /** Sends the dead letter in {@code transaction}; it counts once that commits. */
    void send(SetAsides transaction, ConsumerRecord<byte[], byte[]> original, Failure failure) {
        Origin origin = Origin.of(original);
        String topic = TopicNames.deadLetters(origin.topic());
        Headers headers = new RecordHeaders(original.headers().toArray());
        origin.writeTo(headers);
        put(headers, EVENT_ID, failure.eventId());
        put(headers, EVENT_TYPE, failure.eventType());
        put(headers, ATTEMPTS, Integer.toString(failure.attempts()));
        put(headers, FIRST_FAILURE_AT, failure.firstFailureAt().toString());
        put(headers, LAST_FAILURE_AT, failure.lastFailureAt().toString());
        put(headers, ERROR_CLASS, failure.errorClass());
        String message = failure.errorMessage() == null ? "" : failure.errorMessage();
        put(headers, ERROR_MESSAGE, message.length() > MAX_MESSAGE_LENGTH ? message.substring(0, MAX_MESSAGE_LENGTH) : message);
        transaction.send(new ProducerRecord<>(topic, null, original.key(), original.value(), headers),
                () -> LOG.error("dead-lettered {}-{}@{} event_id={} reason={} attempts={} to {}: {}", origin.topic(),
                        origin.partition(), origin.offset(), failure.eventId(), failure.errorClass(),
                        failure.attempts(), topic, message));
    }

    /** How often a record was tried before, per the headers it was parked with (0 for a first try). */
    static int previousAttempts(ConsumerRecord<byte[], byte[]> record) {
        String value = header(record.headers(), ATTEMPTS);
        try {
            return value == null ? 0 : Integer.parseInt(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** When a record first failed, per the headers it was parked with, or {@code fallback} for a first failure. */
    static Instant firstFailure(ConsumerRecord<byte[], byte[]> record, Instant fallback) {
        String value = header(record.headers(), FIRST_FAILURE_AT);
        try {
            return value == null ? fallback : Instant.parse(value);
        } catch (RuntimeException e) {
            return fallback;
        }
    }

    public static String header(Headers headers, String name) {
        var header = headers.lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    static void put(Headers headers, String name, String value) {
        headers.remove(name);
        if (value != null) {
            headers.add(name, value.getBytes(StandardCharsets.UTF_8));
        }
    }
}
