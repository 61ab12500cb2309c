package io.hookshard.consume;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.hookshard.core.Envelope;
import io.hookshard.core.EnvelopeCodec;
import io.hookshard.core.InvalidEventException;
import io.hookshard.processing.EventSink;
import io.hookshard.processing.Outcome;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;

/**
 * Gives every record of a batch exactly one fate: done (applied, a duplicate, parked or dead-lettered, each
 * committed where it went) or handed back to wait for a retry. Per record, never per batch: whatever one record
 * does, a bug included, decides that record's fate only. What a batch sets aside (dead letters, parked records) goes
 * out in one {@link SetAsides} transaction with the offsets that pass it, so it is set aside exactly once. The only
 * ways out are {@link InterruptedException}, an {@link Error} other than a stack overflow, which the worker treats as
 * fatal, and a set-aside transaction whose outcome is unknown ({@link SetAsides.InDoubtException}), which stops the
 * worker.
 */
final class RecordHandler {
    private static final Logger LOG = LoggerFactory.getLogger(RecordHandler.class);

    static final String BEYOND_DEDUP_WINDOW = "beyond_dedup_window";

    /** A record to try again later, and why. */
    record Retry(ConsumerRecord<byte[], byte[]> record, Outcome outcome) {
    }

    private final EnvelopeCodec codec;
    private final EventSink sink;
    private final DeadLetters deadLetters;
    private final Parking parking;
    private final SetAsides setAsides;
    private final Counter applied;
    private final Counter duplicates;
    private final Counter deadLettered;
    private final Counter retried;
    private final Counter parked;
    private final Counter unexpected;
    private final Timer batchTimer;
    private final Timer endToEnd;
    private final MetricRegistry metrics;
    private final String prefix;
    private final boolean parkNotYet;
    private final Duration dedupWindow;

    /**
     * @param parkNotYet whether a record that cannot be applied yet is parked (on a webhook topic) or handed back to
     *                   wait like a transient failure (on a parking topic, whose worker holds it)
     * @param setAsides  the worker's transaction for what it dead-letters and parks
     */
    RecordHandler(EnvelopeCodec codec, EventSink sink, DeadLetters deadLetters, Parking parking, SetAsides setAsides,
                  MetricRegistry metrics, String topic, boolean parkNotYet, Duration dedupWindow) {
        this.setAsides = setAsides;
        this.parkNotYet = parkNotYet;
        this.dedupWindow = dedupWindow;
        this.codec = codec;
        this.sink = sink;
        this.deadLetters = deadLetters;
        this.parking = parking;
        this.metrics = metrics;
        this.prefix = MetricRegistry.name("hookshard", "consumer", topic);
        this.applied = metrics.counter(MetricRegistry.name(prefix, "applied"));
        this.duplicates = metrics.counter(MetricRegistry.name(prefix, "duplicates"));
        this.deadLettered = metrics.counter(MetricRegistry.name(prefix, "dead-lettered"));
        this.retried = metrics.counter(MetricRegistry.name(prefix, "retried"));
        this.parked = metrics.counter(MetricRegistry.name(prefix, "parked"));
        this.unexpected = metrics.counter(MetricRegistry.name(prefix, "unexpected-errors"));
        this.batchTimer = metrics.timer(MetricRegistry.name(prefix, "batch"));
        // From the webhook's received_at to its commit in the shard.
        this.endToEnd = metrics.timer(MetricRegistry.name(prefix, "end-to-end"));
    }

    /**
     * Applies the records (dead-lettering or parking those that cannot be applied) and returns those to try again,
     * in input order. Every record not returned is done: applied, a duplicate, or committed to the parking or
     * dead-letter topic together with the offset that passes it.
     */
    List<Retry> handle(List<ConsumerRecord<byte[], byte[]>> records) throws InterruptedException {
        return handle(records, record -> false);
    }

    /**
     * As {@link #handle(List)}; {@code waitsBehind} tells whether a record of an earlier batch, before the given one in
     * its partition, still waits for a retry.
     */
    List<Retry> handle(List<ConsumerRecord<byte[], byte[]>> records,
                       java.util.function.Predicate<ConsumerRecord<byte[], byte[]>> waitsBehind)
            throws InterruptedException {
        Envelope[] envelopes = new Envelope[records.size()];
        Outcome[] outcomes = new Outcome[records.size()];
        List<Integer> decoded = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            try {
                envelopes[i] = codec.decode(records.get(i).value());
                if (beyondDedupWindow(envelopes[i])) {
                    outcomes[i] = Outcome.permanent(BEYOND_DEDUP_WINDOW, "received at " + envelopes[i].receivedAt()
                            + ", longer ago than the inbox remembers events (" + dedupWindow + "): applying it could"
                            + " store it twice");
                } else {
                    decoded.add(i);
                }
            } catch (InvalidEventException e) {
                outcomes[i] = Outcome.permanent(e.reason(), e.getMessage());
            } catch (RuntimeException | StackOverflowError e) {
                outcomes[i] = unexpected(records.get(i), e);
            }
        }
        try (Timer.Context ignored = batchTimer.time()) {
            apply(records, decoded, envelopes, outcomes);
        }
        // Set aside (dead letter, park) only a record its partition's commit can pass right away: one behind a record
        // that waits would be set aside again when the partition is read again before that commit (a rebalance, a
        // crash), leaving a copy too many. So it waits too, and is set aside once nothing before it waits.
        Map<TopicPartition, Long> firstWaiting = new HashMap<>();
        Outcome[] finals = new Outcome[records.size()];
        List<Integer> byOffset = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            byOffset.add(i);
            ConsumerRecord<byte[], byte[]> record = records.get(i);
            finals[i] = outcomes[i] != null ? outcomes[i]
                    : unexpected(record, new IllegalStateException("the sink gave this record no outcome"));
            if (finals[i].isRetryable() && !(finals[i].kind() == Outcome.Kind.NOT_YET && parkNotYet)) {
                firstWaiting.merge(Progress.partitionOf(record), record.offset(), Math::min);
            }
        }
        byOffset.sort(java.util.Comparator.comparing((Integer i) -> records.get(i).partition())
                .thenComparing(i -> records.get(i).topic()).thenComparingLong(i -> records.get(i).offset()));
        // What is set aside goes out in one transaction with, per partition, the offset just past the last of it:
        // every record before that is done (applied, a duplicate, or set aside in this transaction), since one behind
        // a waiting record is not set aside.
        List<Integer> sent = new ArrayList<>();
        Map<TopicPartition, OffsetAndMetadata> passing = new HashMap<>();
        for (int i : byOffset) {
            ConsumerRecord<byte[], byte[]> record = records.get(i);
            Outcome outcome = finals[i];
            if (outcome.kind() == Outcome.Kind.PERMANENT || outcome.kind() == Outcome.Kind.NOT_YET && parkNotYet) {
                Long waiting = firstWaiting.get(Progress.partitionOf(record));
                if (waitsBehind.test(record) || waiting != null && waiting < record.offset()) {
                    outcome = Outcome.behindWaiting(outcome);
                } else {
                    outcome = setAside(record, envelopes[i], outcome);
                }
                if (outcome.isRetryable()) {
                    firstWaiting.merge(Progress.partitionOf(record), record.offset(), Math::min);
                } else {
                    sent.add(i);
                    passing.put(Progress.partitionOf(record), new OffsetAndMetadata(record.offset() + 1));
                }
            }
            finals[i] = outcome;
        }
        commitSetAsides(records, sent, passing, finals);
        List<Retry> retries = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            ConsumerRecord<byte[], byte[]> record = records.get(i);
            Outcome outcome = finals[i];
            if (outcome.isRetryable()) {
                retried.inc();
                retries.add(new Retry(record, outcome));
            } else {
                counterOf(outcome.kind()).inc();
                if (outcome.kind() == Outcome.Kind.DEAD_LETTERED) {
                    metrics.counter(MetricRegistry.name(prefix, "dead-lettered", outcome.reason())).inc();
                }
                if (outcome.kind() == Outcome.Kind.APPLIED) {
                    endToEnd.update(Duration.between(envelopes[i].receivedAt(), Instant.now()));
                }
            }
        }
        return retries;
    }

    /**
     * The sink takes the batch at once (its multi-row statements are where throughput comes from); should it throw,
     * which its contract forbids, every record is applied alone, so that the failure is pinned on its record.
     */
    private void apply(List<ConsumerRecord<byte[], byte[]>> records, List<Integer> decoded, Envelope[] envelopes,
                       Outcome[] outcomes) {
        if (decoded.isEmpty()) {
            return;
        }
        try {
            List<Outcome> applied = sink.apply(decoded.stream().map(i -> envelopes[i]).toList());
            for (int j = 0; j < decoded.size(); j++) {
                outcomes[decoded.get(j)] = applied.get(j);
            }
            return;
        } catch (RuntimeException | StackOverflowError e) {
            if (decoded.size() == 1) {
                outcomes[decoded.get(0)] = unexpected(records.get(decoded.get(0)), e);
                return;
            }
            LOG.warn("a batch of {} threw {}; applying its records one by one to find the one it belongs to",
                    decoded.size(), e.toString());
        }
        for (int i : decoded) {
            try {
                outcomes[i] = sink.apply(List.of(envelopes[i])).get(0);
            } catch (RuntimeException | StackOverflowError e) {
                outcomes[i] = unexpected(records.get(i), e);
            }
        }
    }

    /** An envelope older than the inbox's memory: whether it was applied already can no longer be told. */
    private boolean beyondDedupWindow(Envelope envelope) {
        return !dedupWindow.isZero() && envelope.receivedAt().isBefore(Instant.now().minus(dedupWindow));
    }

    private Outcome unexpected(ConsumerRecord<byte[], byte[]> record, Throwable e) {
        unexpected.inc();
        LOG.error("unexpected failure on {}-{}@{}; it will be dead-lettered as {}", record.topic(), record.partition(),
                record.offset(), Outcome.UNEXPECTED_ERROR, e);
        return Outcome.unexpected(e);
    }

    private Counter counterOf(Outcome.Kind kind) {
        return switch (kind) {
            case APPLIED -> applied;
            case DUPLICATE -> duplicates;
            case PARKED -> parked;
            default -> deadLettered;
        };
    }

    /**
     * Sends a record to be dead-lettered (PERMANENT) or parked (NOT_YET) in the open transaction; a failure to send
     * makes it a transient failure.
     */
    private Outcome setAside(ConsumerRecord<byte[], byte[]> record, Envelope envelope, Outcome outcome) {
        String eventId = envelope == null ? null : envelope.eventId().toString();
        String eventType = envelope == null ? null : envelope.type().wireName();
        try {
            if (outcome.kind() == Outcome.Kind.NOT_YET) {
                return parking.park(setAsides, record, outcome, eventId, eventType);
            }
            Instant now = Instant.now();
            deadLetters.send(setAsides, record, new DeadLetters.Failure(eventId, eventType,
                    DeadLetters.previousAttempts(record) + 1, DeadLetters.firstFailure(record, now), now,
                    outcome.reason(), outcome.detail()));
            return outcome.deadLettered();
        } catch (SetAsides.InDoubtException e) {
            throw e;
        } catch (RuntimeException e) {
            LOG.warn("could not set {}-{}@{} aside ({}), will retry: {}", record.topic(), record.partition(),
                    record.offset(), outcome.reason(), e.toString());
            return Outcome.transientFailure("kafka", e);
        }
    }

    /**
     * Commits the batch's set-aside records with the offsets that pass them. Should that fail, none of them is done:
     * each waits for a retry (the transaction was aborted, so no reader ever sees them).
     */
    private void commitSetAsides(List<ConsumerRecord<byte[], byte[]>> records, List<Integer> sent,
                                 Map<TopicPartition, OffsetAndMetadata> passing, Outcome[] finals) {
        if (sent.isEmpty()) {
            setAsides.abort();
            return;
        }
        try {
            setAsides.commit(passing);
        } catch (SetAsides.InDoubtException e) {
            throw e;
        } catch (RuntimeException e) {
            ConsumerRecord<byte[], byte[]> first = records.get(sent.get(0));
            LOG.warn("could not commit {} set-aside record(s) (e.g. {}-{}@{}), will retry: {}", sent.size(),
                    first.topic(), first.partition(), first.offset(), e.toString());
            for (int i : sent) {
                finals[i] = Outcome.transientFailure("kafka", e);
            }
        }
    }
}
