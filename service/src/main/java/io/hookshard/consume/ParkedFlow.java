package io.hookshard.consume;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A parking topic's records (chargebacks whose order had not arrived), held in memory: every {@code checkInterval}
 * the flow asks which of their keys are ready now (the order's owner is in the directory) and applies those at once,
 * so a chargeback lands within about a second of its order. Records held for long are re-parked (appended again, one
 * attempt further) so that the partition's commit does not stay behind them; after the park window, once the
 * awaited topic was consumed past where it ended when the window closed, a last attempt is made and a record still
 * waiting is dead-lettered. A record is re-parked or dead-lettered only once nothing before it in its partition is
 * held, in a {@link SetAsides} transaction with the offset that passes it: a copy made while the commit stayed behind
 * it would be made again when the partition is read again.
 */
final class ParkedFlow implements RecordFlow {
    private static final Logger LOG = LoggerFactory.getLogger(ParkedFlow.class);

    private final String name;
    private final RecordHandler handler;
    private final Parking parking;
    private final SetAsides setAsides;
    private final Function<Collection<String>, Set<String>> ready;
    private final AwaitedTopic awaited;
    private final ParkTiming timing;
    private final Clock clock;
    private final Progress progress;
    private final Map<ConsumerRecord<byte[], byte[]>, Held> held = new IdentityHashMap<>();
    private Instant nextTick = Instant.MIN;

    /**
     * @param progress the worker's progress, which {@code setAsides} also reports transactional commits to
     * @param ready    of the given record keys, those whose records may be applied now
     */
    ParkedFlow(String name, Progress progress, RecordHandler handler, Parking parking, SetAsides setAsides,
               Function<Collection<String>, Set<String>> ready, AwaitedTopic awaited, ParkTiming timing, Clock clock) {
        this.name = name;
        this.progress = progress;
        this.setAsides = setAsides;
        this.handler = handler;
        this.parking = parking;
        this.ready = ready;
        this.awaited = awaited;
        this.timing = timing;
        this.clock = clock;
    }

    private static final class Held {
        final ConsumerRecord<byte[], byte[]> record;
        final String key;
        final Instant parkedAt;
        final Instant heldSince;
        final Duration holdFor;
        int checks;
        Instant nextCheck;
        Map<TopicPartition, Long> awaitedEnds;

        Held(ConsumerRecord<byte[], byte[]> record, Instant now, Duration holdFor) {
            this.record = record;
            this.key = record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
            this.parkedAt = Parking.parkedAt(record, now);
            this.heldSince = now;
            this.holdFor = holdFor;
            this.nextCheck = now;
        }
    }

    @Override
    public void accept(ConsumerRecords<byte[], byte[]> records) {
        Instant now = clock.instant();
        for (TopicPartition partition : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> partitionRecords = records.records(partition);
            for (ConsumerRecord<byte[], byte[]> record : partitionRecords) {
                held.put(record, new Held(record, now, timing.hold().delay(DeadLetters.previousAttempts(record))));
            }
            progress.handled(partition, partitionRecords.get(partitionRecords.size() - 1).offset(),
                    partitionRecords);
        }
        // The next loop looks at them at once: the order may have come while the record was being parked.
        nextTick = now;
    }

    @Override
    public void tick() throws InterruptedException {
        Instant now = clock.instant();
        if (held.isEmpty() || now.isBefore(nextTick)) {
            return;
        }
        nextTick = now.plus(timing.checkInterval());
        List<Held> due = held.values().stream().filter(entry -> !entry.nextCheck.isAfter(now))
                .limit(timing.batchSize()).toList();
        List<Held> lastCall = lastCalls(due, now);
        Set<String> readyKeys = readyKeys(due);
        Map<ConsumerRecord<byte[], byte[]>, Held> toApply = new LinkedHashMap<>();
        due.stream().filter(entry -> readyKeys.contains(entry.key)).forEach(entry -> toApply.put(entry.record, entry));
        lastCall.forEach(entry -> toApply.put(entry.record, entry));
        if (!toApply.isEmpty()) {
            apply(toApply, Collections.newSetFromMap(new IdentityHashMap<>()), now, lastCall);
        }
        reparkHeldTooLong(now);
    }

    private void apply(Map<ConsumerRecord<byte[], byte[]>, Held> toApply, Set<Held> failing, Instant now,
                       List<Held> lastCall) throws InterruptedException {
        // A record held before these (and not among them) keeps them from being dead-lettered for now.
        List<RecordHandler.Retry> retries = handler.handle(new ArrayList<>(toApply.keySet()),
                record -> progress.hasWaitingBefore(record, toApply.keySet()));
        retries.forEach(retry -> failing.add(toApply.get(retry.record())));
        List<Held> expiring = new ArrayList<>();
        for (Held entry : toApply.values()) {
            if (!failing.contains(entry)) {
                done(entry);
            } else {
                if (lastCall.contains(entry)) {
                    expiring.add(entry);
                }
                entry.checks++;
                entry.nextCheck = now.plus(timing.recheck().delay(entry.checks));
            }
        }
        setAsideInOrder(expiring, entry -> parking.expire(setAsides, entry.record, "record key " + entry.key
                + " still not applicable after the park window of " + timing.window() + " (parked at "
                + entry.parkedAt + "), with " + awaited.topic() + " consumed past its end offsets "
                + AwaitedTopic.describe(entry.awaitedEnds) + " since"), "dead-letter");
    }

    /**
     * Records whose window is over and whose awaited topic has since been consumed past where it ended then: they
     * get one last attempt. The first time a record's window is found over, the awaited topic's end is noted.
     */
    private List<Held> lastCalls(List<Held> due, Instant now) {
        List<Held> over = due.stream().filter(entry -> !now.isBefore(entry.parkedAt.plus(timing.window()))).toList();
        if (over.isEmpty()) {
            return List.of();
        }
        Map<TopicPartition, Long> endsNow = null;
        for (Held entry : over) {
            if (entry.awaitedEnds == null) {
                endsNow = endsNow == null ? awaited.ends() : endsNow;
                entry.awaitedEnds = endsNow;
            }
        }
        List<Held> lastCall = new ArrayList<>();
        Map<Map<TopicPartition, Long>, Boolean> consumed = new IdentityHashMap<>();
        for (Held entry : over) {
            if (entry.awaitedEnds != null
                    && consumed.computeIfAbsent(entry.awaitedEnds, awaited::consumedUpTo)) {
                lastCall.add(entry);
            }
        }
        if (lastCall.size() < over.size()) {
            LOG.info("{}: {} parked record(s) are past the park window of {}; they wait until {} is consumed up to"
                    + " where it ended then", name, over.size() - lastCall.size(), timing.window(), awaited.topic());
        }
        return lastCall;
    }

    private Set<String> readyKeys(List<Held> due) {
        if (due.isEmpty()) {
            return Set.of();
        }
        try {
            return ready.apply(due.stream().map(entry -> entry.key).distinct().toList());
        } catch (RuntimeException e) {
            LOG.warn("{}: could not tell which parked records are ready: {}", name, e.toString());
            return Set.of();
        }
    }

    private void reparkHeldTooLong(Instant now) {
        List<Held> tooLong = held.values().stream()
                .filter(entry -> !now.isBefore(entry.heldSince.plus(entry.holdFor)))
                .limit(timing.batchSize()).toList();
        setAsideInOrder(tooLong, entry -> parking.repark(setAsides, entry.record), "re-park");
    }

    /**
     * Re-parks or dead-letters ({@code send}) the entries in one transaction with the offsets that pass them, in
     * offset order, each only if nothing before it in its partition stays held: one behind a held record waits for
     * it (re-parking it would not move the commit anyway). Those sent are done once the transaction commits; on a
     * failure all stay held and are tried again later.
     */
    private void setAsideInOrder(List<Held> entries, java.util.function.Consumer<Held> send, String what) {
        List<Held> ordered = entries.stream().sorted(java.util.Comparator
                .comparing((Held entry) -> entry.record.topic()).thenComparingInt(entry -> entry.record.partition())
                .thenComparingLong(entry -> entry.record.offset())).toList();
        Set<ConsumerRecord<byte[], byte[]>> sent = Collections.newSetFromMap(new IdentityHashMap<>());
        Map<TopicPartition, OffsetAndMetadata> passing = new java.util.HashMap<>();
        List<Held> sentEntries = new ArrayList<>();
        for (Held entry : ordered) {
            if (progress.hasWaitingBefore(entry.record, sent)) {
                continue;
            }
            try {
                send.accept(entry);
            } catch (SetAsides.InDoubtException e) {
                throw e;
            } catch (RuntimeException e) {
                LOG.warn("{}: could not {} {}-{}@{}, keeping it: {}", name, what, entry.record.topic(),
                        entry.record.partition(), entry.record.offset(), e.toString());
                break;
            }
            sent.add(entry.record);
            sentEntries.add(entry);
            passing.put(Progress.partitionOf(entry.record), new OffsetAndMetadata(entry.record.offset() + 1));
        }
        if (sentEntries.isEmpty()) {
            setAsides.abort();
            return;
        }
        try {
            setAsides.commit(passing);
        } catch (SetAsides.InDoubtException e) {
            throw e;
        } catch (RuntimeException e) {
            LOG.warn("{}: could not commit {} {}(s), keeping them: {}", name, sentEntries.size(), what, e.toString());
            return;
        }
        sentEntries.forEach(this::done);
    }

    private void done(Held entry) {
        held.remove(entry.record);
        progress.done(entry.record);
    }

    @Override
    public Progress progress() {
        return progress;
    }

    /** What is held of those partitions goes too: their new owner (or this worker, after a seek) reads it again. */
    @Override
    public void forget(Collection<TopicPartition> partitions) {
        RecordFlow.super.forget(partitions);
        held.keySet().removeIf(record -> partitions.contains(Progress.partitionOf(record)));
    }
}
