package io.hookshard.kafka;

import io.hookshard.config.TopicsFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Writes what can never succeed to {@code <topic>.dlq}: the original key and value byte for byte, and the
 * circumstances in headers (see README, "Dead letters"). Returns only once the broker acknowledged the write, so
 * the caller may then commit the original offset.
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

    private final Producer<byte[], byte[]> producer;
    private final Duration timeout;

    public DeadLetters(Producer<byte[], byte[]> producer, Duration timeout) {
        this.producer = producer;
        this.timeout = timeout;
    }

    /** The circumstances of a dead letter; eventId and eventType may be null when the envelope was undecodable. */
    public record Failure(String eventId, String eventType, int attempts, Instant firstFailureAt, Instant lastFailureAt,
                          String errorClass, String errorMessage) {
    }

    public void send(ConsumerRecord<byte[], byte[]> original, Failure failure)
            throws InterruptedException, ExecutionException, TimeoutException {
        String topic = TopicsFactory.deadLetterTopic(original.topic());
        Headers headers = new RecordHeaders(original.headers().toArray());
        put(headers, ORIGINAL_TOPIC, original.topic());
        put(headers, ORIGINAL_PARTITION, Integer.toString(original.partition()));
        put(headers, ORIGINAL_OFFSET, Long.toString(original.offset()));
        put(headers, EVENT_ID, failure.eventId());
        put(headers, EVENT_TYPE, failure.eventType());
        put(headers, ATTEMPTS, Integer.toString(failure.attempts()));
        put(headers, FIRST_FAILURE_AT, failure.firstFailureAt().toString());
        put(headers, LAST_FAILURE_AT, failure.lastFailureAt().toString());
        put(headers, ERROR_CLASS, failure.errorClass());
        String message = failure.errorMessage() == null ? "" : failure.errorMessage();
        put(headers, ERROR_MESSAGE, message.length() > MAX_MESSAGE_LENGTH ? message.substring(0, MAX_MESSAGE_LENGTH) : message);
        producer.send(new ProducerRecord<>(topic, null, original.key(), original.value(), headers))
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        LOG.error("dead-lettered {}-{}@{} event_id={} reason={} to {}: {}", original.topic(), original.partition(),
                original.offset(), failure.eventId(), failure.errorClass(), topic, message);
    }

    public static String header(Headers headers, String name) {
        var header = headers.lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static void put(Headers headers, String name, String value) {
        headers.remove(name);
        if (value != null) {
            headers.add(name, value.getBytes(StandardCharsets.UTF_8));
        }
    }
}
