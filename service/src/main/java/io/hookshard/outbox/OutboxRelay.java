package io.hookshard.outbox;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Publishes one shard's outbox, on one thread: reads the oldest unpublished rows in seq order, sends them all, waits
 * for every ack, then marks published the acknowledged rows up to the first that failed, and reads again. At least
 * once, never a gap: a row is marked only after its ack, and everything unmarked is read again (after a crash, a
 * failed send or a failed mark), so a suffix of what was sent may be sent a second time, with the same ids, in the
 * same order. Reads start above a {@link ReadFloor}, below which nothing is or will be unpublished, so that they
 * do not walk the index entries of what was published since the last vacuum.
 *
 * <p>One relay per shard publishes at a time: the one whose connection holds the shard's advisory lock
 * ({@link OutboxRows#RELAY_LOCK}); the others stand by and try again. The connection is the relay's own, outside the
 * pool (closing it ends the session and so releases the lock, which a pooled connection would keep), and reads, marks
 * and trims go through it, so a relay that lost its connection, and with it the lock, marks nothing before it holds
 * the lock again.
 */
final class OutboxRelay implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
    private static final byte[] CONTENT_TYPE = CloudEvents.CONTENT_TYPE.getBytes(StandardCharsets.UTF_8);
    private static final int TRIM_CHUNK = 10_000;
    /** Often enough that the floor trails the sequence by a second or two (ReadFloor.CLOCK_MARGIN and this). */
    private static final Duration FLOOR_INTERVAL = Duration.ofMillis(250);

    private final String shardId;
    private final Jdbi jdbi;
    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final TopicReady topicReady;
    private final BooleanSupplier paused;
    private final RelaySettings settings;
    private final RelayStatus status;
    private final CountDownLatch stopping = new CountDownLatch(1);
    private final ReadFloor floor;
    private Handle handle;
    private boolean holdsLock;
    private long lastTrimNanos = System.nanoTime();

    OutboxRelay(String shardId, Jdbi jdbi, Producer<byte[], byte[]> producer, String topic, TopicReady topicReady,
                BooleanSupplier paused, RelaySettings settings) {
        this.shardId = shardId;
        this.jdbi = jdbi;
        this.producer = producer;
        this.topic = topic;
        this.topicReady = topicReady;
        this.paused = paused;
        this.settings = settings;
        this.status = new RelayStatus(shardId);
        this.floor = new ReadFloor(FLOOR_INTERVAL);
    }

    RelayStatus status() {
        return status;
    }

    /** Asks the loop to end after the batch in hand (marked as far as acknowledged). */
    void stop() {
        stopping.countDown();
    }

    @Override
    public void run() {
        int failures = 0;
        try {
            while (stopping.getCount() > 0) {
                try {
                    step();
                    failures = 0;
                } catch (RuntimeException e) {
                    failures++;
                    Duration delay = settings.backoff(failures);
                    status.failed(e);
                    LOG.warn("outbox relay of shard {} failed ({} in a row), retrying in {}: {}", shardId, failures,
                            delay, e.toString());
                    release();
                    pause(delay);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            release();
        }
    }

    private void step() throws InterruptedException {
        try {
            topicReady.ensure();
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("topic " + topic + " is not ready: " + e, e);
        }
        if (handle == null) {
            handle = jdbi.open();
        }
        if (!holdsLock) {
            holdsLock = OutboxRows.tryLock(handle);
            status.active(holdsLock);
            if (!holdsLock) {
                measureIfDue();
                pause(settings.standbyInterval());
                return;
            }
            LOG.info("outbox relay of shard {} holds the shard's relay lock and publishes to {}", shardId, topic);
        }
        if (paused.getAsBoolean()) {
            measureIfDue();
            pause(settings.pollInterval());
            return;
        }
        int sent = publishBatch();
        floor.advance(handle);
        measureIfDue();
        if (System.nanoTime() - lastTrimNanos >= settings.trimInterval().toNanos()) {
            trim();
        }
        if (sent < settings.batchSize()) {
            pause(settings.pollInterval());
        }
    }

    /** @return how many rows were acknowledged and marked */
    private int publishBatch() throws InterruptedException {
        List<OutboxRows.Row> rows = OutboxRows.unpublished(handle, floor.value(), settings.batchSize());
        if (rows.isEmpty()) {
            return 0;
        }
        List<Future<RecordMetadata>> acks = new ArrayList<>(rows.size());
        Exception failure = null;
        for (OutboxRows.Row row : rows) {
            try {
                acks.add(producer.send(record(row)));
            } catch (KafkaException e) {
                // Only what was handed to the producer before is waited for; the rest is read again.
                failure = e;
                break;
            }
        }
        int acked = 0;
        for (Future<RecordMetadata> ack : acks) {
            try {
                ack.get();
                acked++;
            } catch (ExecutionException e) {
                // A later row may have been acknowledged too; it stays unmarked and is sent again, after this one.
                failure = e;
                break;
            }
        }
        if (settings.retention().isZero()) {
            // Kept for no time, a row need not be marked first: its DELETE writes a few bytes of WAL where the mark
            // writes the whole row again with three index entries (measured: the mark took 13% of the shards'
            // statement time in the sink benchmark, and a fifth of their WAL).
            OutboxRows.deletePublished(handle, rows.subList(0, acked));
        } else {
            OutboxRows.markPublished(handle, rows.subList(0, acked));
        }
        status.published(acked);
        if (failure != null) {
            throw new IllegalStateException("published " + acked + " of " + rows.size() + " outbox rows: "
                    + (failure.getCause() == null ? failure : failure.getCause()), failure);
        }
        LOG.debug("outbox relay of shard {} published {} rows up to seq {}", shardId, acked,
                rows.get(rows.size() - 1).seq());
        return acked;
    }

    private ProducerRecord<byte[], byte[]> record(OutboxRows.Row row) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, row.key().getBytes(StandardCharsets.UTF_8),
                row.payload().getBytes(StandardCharsets.UTF_8));
        // CloudEvents' Kafka binding, structured mode: the content type says the value is a whole event.
        record.headers().add(new RecordHeader("content-type", CONTENT_TYPE));
        return record;
    }

    /** Counting a large backlog takes a while: at most once per measure interval. */
    private void measureIfDue() {
        if (!status.measuredWithin(settings.measureInterval())) {
            status.measured(OutboxRows.backlog(handle, floor.value()));
        }
    }

    private void trim() {
        lastTrimNanos = System.nanoTime();
        int total = 0;
        int deleted;
        do {
            deleted = OutboxRows.trim(handle, settings.retention(), TRIM_CHUNK);
            total += deleted;
        } while (deleted == TRIM_CHUNK && stopping.getCount() > 0);
        if (total > 0) {
            LOG.info("outbox of shard {}: trimmed {} rows published more than {} ago", shardId, total,
                    settings.retention());
        }
    }

    /** Closes the connection, which ends its session and so releases the lock if this relay held it. */
    private void release() {
        if (handle != null) {
            try {
                handle.close();
            } catch (RuntimeException e) {
                LOG.debug("closing the relay connection of shard {} failed: {}", shardId, e.toString());
            }
            handle = null;
        }
        floor.reset();
        if (holdsLock) {
            LOG.info("outbox relay of shard {} released the shard's relay lock", shardId);
        }
        holdsLock = false;
        status.active(false);
    }

    private void pause(Duration delay) throws InterruptedException {
        stopping.await(delay.toMillis(), TimeUnit.MILLISECONDS);
    }
}
