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
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns one poll into shard writes and decides, per partition, how far the offset may be committed: up to the first
 * record that must be retried, or past the last one. Records that can never succeed are dead-lettered on the way.
 */
final class BatchHandler {
    private static final Logger LOG = LoggerFactory.getLogger(BatchHandler.class);

    /** Per partition: the offset to commit, and (if any) the outcome that makes the partition retry from there. */
    record Decision(long commitOffset, Outcome retry) {
    }

    private final EnvelopeCodec codec;
    private final EventSink sink;
    private final DeadLetters deadLetters;
    private final Counter applied;
    private final Counter duplicates;
    private final Counter deadLettered;
    private final Counter retried;
    private final Timer batchTimer;

    BatchHandler(EnvelopeCodec codec, EventSink sink, DeadLetters deadLetters, MetricRegistry metrics, String topic) {
        this.codec = codec;
        this.sink = sink;
        this.deadLetters = deadLetters;
        String prefix = MetricRegistry.name("hookshard", "consumer", topic);
        this.applied = metrics.counter(MetricRegistry.name(prefix, "applied"));
        this.duplicates = metrics.counter(MetricRegistry.name(prefix, "duplicates"));
        this.deadLettered = metrics.counter(MetricRegistry.name(prefix, "dead-lettered"));
        this.retried = metrics.counter(MetricRegistry.name(prefix, "retried"));
        this.batchTimer = metrics.timer(MetricRegistry.name(prefix, "batch"));
    }

    Map<TopicPartition, Decision> handle(ConsumerRecords<byte[], byte[]> records) throws InterruptedException {
        List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>(records.count());
        records.forEach(all::add);
        Map<ConsumerRecord<byte[], byte[]>, Outcome> outcomes = apply(all);

        Map<TopicPartition, Decision> decisions = new HashMap<>();
        for (TopicPartition partition : records.partitions()) {
            decisions.put(partition, decide(records.records(partition), outcomes));
        }
        return decisions;
    }

    private Map<ConsumerRecord<byte[], byte[]>, Outcome> apply(List<ConsumerRecord<byte[], byte[]>> all) {
        Map<ConsumerRecord<byte[], byte[]>, Outcome> outcomes = new HashMap<>();
        List<ConsumerRecord<byte[], byte[]>> decodedRecords = new ArrayList<>();
        List<Envelope> envelopes = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : all) {
            try {
                envelopes.add(codec.decode(record.value()));
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

    private Decision decide(List<ConsumerRecord<byte[], byte[]>> partitionRecords,
                            Map<ConsumerRecord<byte[], byte[]>, Outcome> outcomes) throws InterruptedException {
        for (ConsumerRecord<byte[], byte[]> record : partitionRecords) {
            Outcome outcome = outcomes.get(record);
            if (outcome.kind() == Outcome.Kind.PERMANENT) {
                outcome = deadLetter(record, outcome);
            }
            if (outcome.isRetryable()) {
                retried.inc();
                return new Decision(record.offset(), outcome);
            }
            (outcome.kind() == Outcome.Kind.DUPLICATE ? duplicates : outcome.kind() == Outcome.Kind.APPLIED
                    ? applied : deadLettered).inc();
        }
        return new Decision(partitionRecords.get(partitionRecords.size() - 1).offset() + 1, null);
    }

    private Outcome deadLetter(ConsumerRecord<byte[], byte[]> record, Outcome outcome) throws InterruptedException {
        Instant now = Instant.now();
        String eventId = null;
        String eventType = null;
        try {
            Envelope envelope = codec.decode(record.value());
            eventId = envelope.eventId().toString();
            eventType = envelope.type().wireName();
        } catch (InvalidEventException undecodable) {
            // the headers then carry no event id or type
        }
        try {
            deadLetters.send(record, new DeadLetters.Failure(eventId, eventType, 1, now, now, outcome.reason(),
                    outcome.detail()));
            return outcome;
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            LOG.warn("could not dead-letter {}-{}@{}, will retry: {}", record.topic(), record.partition(),
                    record.offset(), e.toString());
            return Outcome.transientFailure("dead-letter-topic", e);
        }
    }
}
