package io.hookshard.chaos;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One fault every 10-20 s, chosen by the seed: kinds are dealt from a shuffled deck holding each kind once, so every
 * kind comes within the first seven faults and again in every seven after. A fault whose targets are all taken by
 * faults still running waits for a later turn. Each fault runs on a thread of its own, through its recovery; when the
 * run ends, {@link #heal()} cuts every hold short, so that shards come back, the extra instance stops and topics
 * resume, and waits for the recoveries. Each fault is a line of {@value #LOG}.
 */
final class Faults {
    static final String LOG_FILE = "faults.tsv";
    private static final Logger LOG = LoggerFactory.getLogger(Faults.class);

    private final FaultActions actions;
    private final Random random;
    private final Duration minGap;
    private final Duration maxGap;
    private final BufferedWriter log;
    private final List<FaultKind> deck = new ArrayList<>();
    private final Set<String> busy = new HashSet<>();
    private final Map<FaultKind, Integer> counts = new EnumMap<>(FaultKind.class);
    private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    private final List<Thread> running = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch healing = new CountDownLatch(1);
    private Thread scheduler;

    Faults(Cluster cluster, long seed, Duration minGap, Duration maxGap, Path directory) throws IOException {
        this.actions = new FaultActions(cluster, this::hold);
        this.random = new Random(seed ^ 0x5eed_fa17L);
        this.minGap = minGap;
        this.maxGap = maxGap;
        this.log = Files.newBufferedWriter(directory.resolve(LOG_FILE));
        this.log.write("started_at\tended_at\tkind\ttarget\tdetail\toutcome\n");
        for (FaultKind kind : FaultKind.values()) {
            counts.put(kind, 0);
        }
    }

    /** Starts dealing faults until {@code untilNanos}. */
    synchronized void start(long untilNanos) {
        scheduler = new Thread(() -> schedule(untilNanos), "faults");
        scheduler.setDaemon(true);
        scheduler.start();
    }

    /** Ends the faults: no new one starts, holds end now, and every recovery is waited for. */
    void heal() throws InterruptedException, IOException {
        healing.countDown();
        if (scheduler != null) {
            scheduler.join();
        }
        List<Thread> threads;
        synchronized (running) {
            threads = List.copyOf(running);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        synchronized (log) {
            log.close();
        }
    }

    /** Faults started, per kind (every kind listed, 0 if it never came). */
    synchronized Map<FaultKind, Integer> counts() {
        return new EnumMap<>(counts);
    }

    /** Faults whose recovery failed, with why. */
    List<String> failures() {
        synchronized (failures) {
            return List.copyOf(failures);
        }
    }

    private void schedule(long untilNanos) {
        try {
            while (true) {
                long gap = minGap.toMillis() + (long) (random.nextDouble() * (maxGap.toMillis() - minGap.toMillis()));
                if (healing.await(gap, TimeUnit.MILLISECONDS) || System.nanoTime() - untilNanos >= 0) {
                    return;
                }
                FaultActions.Planned fault = deal();
                if (fault == null) {
                    LOG.info("no fault this turn: every kind's targets are taken by faults still running");
                    continue;
                }
                Thread thread = new Thread(() -> run(fault), "fault-" + fault.kind().reportName());
                running.add(thread);
                thread.start();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The next kind in the deck whose target is free, planned with its target and durations; null if none. */
    private synchronized FaultActions.Planned deal() {
        if (deck.isEmpty()) {
            deck.addAll(List.of(FaultKind.values()));
            Collections.shuffle(deck, random);
        }
        for (Iterator<FaultKind> it = deck.iterator(); it.hasNext(); ) {
            FaultKind kind = it.next();
            FaultActions.Planned fault = actions.plan(kind, random, busy);
            if (fault != null) {
                it.remove();
                busy.add(fault.target());
                counts.merge(kind, 1, Integer::sum);
                return fault;
            }
        }
        return null;
    }

    private void run(FaultActions.Planned fault) {
        Instant started = Instant.now();
        LOG.info("fault {} on {} ({})", fault.kind().reportName(), fault.target(), fault.detail());
        String outcome = "recovered";
        try {
            actions.run(fault);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome = "interrupted";
        } catch (Exception e) {
            outcome = "failed: " + e;
            failures.add(fault.kind().reportName() + " on " + fault.target() + ": " + e);
            LOG.error("fault {} on {} did not recover", fault.kind().reportName(), fault.target(), e);
        } finally {
            synchronized (this) {
                busy.remove(fault.target());
            }
        }
        LOG.info("fault {} on {} over after {} s: {}", fault.kind().reportName(), fault.target(),
                Duration.between(started, Instant.now()).toSeconds(), outcome);
        synchronized (log) {
            try {
                log.write(String.join("\t", started.toString(), Instant.now().toString(), fault.kind().reportName(),
                        fault.target(), fault.detail(), outcome) + "\n");
                log.flush();
            } catch (IOException e) {
                LOG.warn("could not write {}: {}", LOG_FILE, e.toString());
            }
        }
    }

    /** Waits {@code duration}, or less once the run heals. */
    private void hold(Duration duration) throws InterruptedException {
        healing.await(duration.toMillis(), TimeUnit.MILLISECONDS);
    }
}
