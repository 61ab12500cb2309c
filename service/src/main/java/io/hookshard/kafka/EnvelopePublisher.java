package io.hookshard.kafka;

import io.dropwizard.lifecycle.Managed;
import io.hookshard.core.Envelope;
import io.hookshard.core.EnvelopeCodec;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Produces envelopes to their topic, keyed for routing; the returned future completes only when the broker has
 * acknowledged the write durably (acks=all), and fails when that cannot happen within the produce timeout.
 */
public final class EnvelopePublisher implements Managed {
    private final Producer<byte[], byte[]> producer;
    private final EnvelopeCodec codec;
    private final Duration ackTimeout;

    /** @param ackTimeout the producer's delivery timeout: how long a publish may wait for its ack */
    public EnvelopePublisher(Producer<byte[], byte[]> producer, EnvelopeCodec codec, Duration ackTimeout) {
        this.producer = producer;
        this.codec = codec;
        this.ackTimeout = ackTimeout;
    }

    public Duration ackTimeout() {
        return ackTimeout;
    }

    public CompletableFuture<RecordMetadata> publish(String topic, Envelope envelope) {
        CompletableFuture<RecordMetadata> acked = new CompletableFuture<>();
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic,
                envelope.key().getBytes(StandardCharsets.UTF_8), codec.encode(envelope));
        try {
            producer.send(record, (metadata, failure) -> {
                if (failure != null) {
                    acked.completeExceptionally(failure);
                } else {
                    acked.complete(metadata);
                }
            });
        } catch (RuntimeException e) {
            // send() itself throws when metadata cannot be fetched within max.block.ms (broker down).
            acked.completeExceptionally(e);
        }
        return acked;
    }

    @Override
    public void start() {
        // the producer connects lazily on the first send
    }

    @Override
    public void stop() {
        // Flushes what is in flight: those webhooks are waiting for their answer.
        producer.close(ackTimeout);
    }
}
