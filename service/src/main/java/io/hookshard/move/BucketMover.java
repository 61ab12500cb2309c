package io.hookshard.move;

import io.hookshard.db.BucketFence;
import io.hookshard.db.SessionLock;
import io.hookshard.db.ShardDatabases;
import io.hookshard.errors.AlreadyRunning;
import io.hookshard.router.BucketMap;
import io.hookshard.router.BucketRange;
import io.hookshard.routing.Catalog;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Moves buckets to another shard while webhooks keep flowing, in the manner of Vitess' MoveTables and Citus' shard
 * moves: copy, catch up, freeze only the moving buckets, final catch-up, verify every table (counts and an
 * order-independent checksum), switch (the target vouches for the buckets, the catalog publishes the next map, the
 * source keeps a tombstone), unfreeze by switching. The source's rows stay until {@code shards cleanup}.
 *
 * <p>Every step is recorded in the catalog's {@code bucket_moves} and safe to repeat, so a mover killed at any step
 * is finished by running the same move again; while a killed move's buckets are frozen their records wait, nothing is
 * lost. One move runs at a time (a session advisory lock on the catalog shard).
 */
public final class BucketMover {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BucketMover.class);
    /** A session advisory lock on the catalog shard: one move at a time, and no cleanup while one runs. */
    /** Catch-up passes stop once one copies fewer rows than this: the freeze then waits only for a small delta. */
    /**
     * One mover or cleanup at a time, across instances: "hookmove" in ASCII, on the catalog's connection, recognisable
     * in pg_locks (classid 1752133483, objid 1836021349). The holder checks it before each step that changes which
     * shard owns a bucket and before it deletes rows; copy passes are not checked, as two movers copying the same rows
     * merge them idempotently.
     */
    static final long MOVE_LOCK = 0x686f6f6b6d6f7665L;
    private static final long SMALL_DELTA = 2_000;
    private static final int MAX_CATCH_UPS = 6;
    /** About 1 s of verification while frozen on a 2-core machine (README, "How long a move takes"). */
    public static final long DEFAULT_STEP_EVENTS = 50_000;

    private final ShardDatabases shards;
    private final Catalog catalog;
    private final Duration followersSettle;
    private final long stepEvents;
    private final BucketCopier copier = new BucketCopier();

    /**
     * @param mapRefreshInterval how often instances follow the catalog's map (shards.mapRefreshInterval): rows a
     *                           target still holds of buckets it moved away are read by instances on that older map
     *                           until they follow the next one, so they are deleted only after twice this, and a second
     */
    public BucketMover(ShardDatabases shards, Catalog catalog, Duration mapRefreshInterval) {
        this(shards, catalog, mapRefreshInterval, DEFAULT_STEP_EVENTS);
    }

    /**
     * @param stepEvents how many stored events (inbox rows) one step of a move carries at most: the buckets of a
     *                   source move in steps, each copied, frozen, verified and switched on its own, so that the
     *                   freeze, whose length grows with the rows verified, stays short however much a move carries
     *                   (shards.moveStepEvents)
     */
    public BucketMover(ShardDatabases shards, Catalog catalog, Duration mapRefreshInterval, long stepEvents) {
        if (stepEvents < 1) {
            throw new IllegalArgumentException("stepEvents must be positive, got " + stepEvents);
        }
        this.shards = shards;
        this.catalog = catalog;
        this.followersSettle = mapRefreshInterval.multipliedBy(2).plusSeconds(1);
        this.stepEvents = stepEvents;
    }

    /** What a move did: the map version it switched to, the rows it copied, and how long its buckets were frozen. */
    public record Result(long mapVersion, long rowsCopied, Duration frozenFor) {
    }

    /**
     * Moves {@code buckets} to {@code toShard}: one move per source shard, one after the other. Buckets already there
     * are skipped. Prints progress to {@code progress}.
     */
    public List<Result> move(List<Integer> buckets, String toShard, Consumer<String> output) {
        Consumer<String> progress = line -> {
            LOG.info("bucket move: {}", line);
            output.accept(line);
        };
        if (!shards.shardIds().contains(toShard)) {
            throw new IllegalArgumentException("no shard " + toShard + " in config.yml; add it (and run `shards"
                    + " migrate`) first");
        }
        int bucketCount = catalog.latest().orElseThrow().map().bucketCount();
        List<Integer> outside = buckets.stream().filter(bucket -> bucket < 0 || bucket >= bucketCount).toList();
        if (!outside.isEmpty()) {
            throw new IllegalArgumentException("buckets " + BucketRange.compact(outside) + " are not in the bucket"
                    + " map, whose buckets are 0-" + (bucketCount - 1));
        }
        Jdbi catalogDb = catalog.jdbi();
        return catalogDb.withHandle(lockHandle -> {
            SessionLock lock = tryMoveLock(lockHandle).orElseThrow(() -> new AlreadyRunning("another bucket"
                    + " move is running (on any instance); run this one again once it is done"));
            try {
                List<Result> results = new ArrayList<>();
                Optional<Move> unfinished = Move.unfinished(catalogDb);
                if (unfinished.isPresent()) {
                    Move move = unfinished.get();
                    progress.accept("resuming move " + move.id() + " of buckets " + BucketRange.compact(move.buckets())
                            + " from " + move.from() + " to " + move.to() + " (state " + move.state() + ")");
                    results.add(run(move, lock, progress));
                }
                BucketMap map = catalog.latest().orElseThrow().map();
                for (String source : map.shardIds()) {
                    List<Integer> ofSource = buckets.stream().filter(bucket -> map.shardOf(bucket).equals(source))
                            .distinct().sorted().toList();
                    if (ofSource.isEmpty() || source.equals(toShard)) {
                        continue;
                    }
                    List<List<Integer>> steps = steps(shards.jdbi(source), ofSource);
                    if (steps.size() > 1) {
                        progress.accept("moving buckets " + BucketRange.compact(ofSource) + " from " + source + " in "
                                + steps.size() + " steps of at most " + stepEvents + " stored events each");
                    }
                    for (List<Integer> step : steps) {
                        results.add(run(Move.start(catalogDb, step, source, toShard), lock, progress));
                    }
                }
                if (results.isEmpty()) {
                    progress.accept("nothing to move: buckets " + BucketRange.compact(buckets) + " are on " + toShard);
                }
                return results;
            } finally {
                lock.release();
            }
        });
    }

    static java.util.Optional<SessionLock> tryMoveLock(org.jdbi.v3.core.Handle handle) {
        return SessionLock.tryAcquire(handle, "bucket-move", MOVE_LOCK);
    }

    /**
     * Runs one move, naming it in any failure: a copy that loses its connection throws only the driver's words ("This
     * connection has been closed"), which say neither which move stopped, between which shards, nor what to do.
     */
    private Result run(Move move, SessionLock lock, Consumer<String> progress) {
        try {
            return runSteps(move, lock, progress);
        } catch (AlreadyRunning | IllegalArgumentException | MoveRefused e) {
            // Not a move that stopped: running it again would not resume it.
            throw e;
        } catch (RuntimeException e) {
            throw stopped(move, e);
        }
    }

    /**
     * What to tell an operator of a move left unfinished (its mover killed, a shard lost under it), which nothing else
     * would mention until the next move: empty when there is none.
     */
    public Optional<String> unfinishedNotice() {
        return Move.unfinished(catalog.jdbi()).map(BucketMover::unfinishedNotice);
    }

    static String unfinishedNotice(Move move) {
        String buckets = BucketRange.compact(move.buckets()).stream().map(BucketRange::toString)
                .collect(java.util.stream.Collectors.joining(","));
        return "bucket move " + move.id() + " of buckets " + buckets + " from " + move.from() + " to " + move.to()
                + " is unfinished (state " + move.state() + "), unless a mover is running it now: "
                + (move.state().equals("frozen")
                ? "its buckets are frozen on " + move.from() + " and their events wait until it finishes"
                : "its buckets are still served by " + move.from() + ", with a partial copy on " + move.to())
                + "; run it again to finish it (POST /tasks/buckets-move?buckets=" + buckets + "&to=" + move.to()
                + " on the admin port, or `shards move <config> --buckets " + buckets + " --to " + move.to() + "`)";
    }

    static MoveFailed stopped(Move move, RuntimeException e) {
        return new MoveFailed("move " + move.id() + " of buckets " + BucketRange.compact(move.buckets()) + " from "
                + move.from() + " to " + move.to() + " stopped (" + rootCause(e) + "); nothing is lost: its"
                + " buckets stay with " + move.from() + " unless it had switched, and the same buckets-move run"
                + " again resumes it where it stopped (`bucket-map` shows its state)", e);
    }

    /** A move that ended without switching and that running again would not resume: aborted, or refused. */
    static final class MoveRefused extends IllegalStateException {
        MoveRefused(String message) {
            super(message);
        }
    }

    /** A move that stopped, with what stopped it as its cause. */
    static final class MoveFailed extends IllegalStateException {
        MoveFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static String rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? e.toString() : e.getMessage() + "; caused by " + root;
    }

    private Result runSteps(Move move, SessionLock lock, Consumer<String> progress) {
        Jdbi source = shards.jdbi(move.from());
        Jdbi target = shards.jdbi(move.to());
        long copied = move.rowsCopied();
        long frozenAt = 0;
        if (move.state().equals("copying")) {
            if (move.snapshot() == null) {
                requireTargetDoesNotOwn(target, move);
                awaitFollowers(target, move, progress);
                lock.requireHeld("deleting stale rows on " + move.to());
                long stale = BucketCopier.delete(target, move.buckets());
                if (stale > 0) {
                    progress.accept("deleted " + stale + " stale row(s) of these buckets on " + move.to());
                }
                progress.accept("copying buckets " + BucketRange.compact(move.buckets()) + " from " + move.from()
                        + " to " + move.to());
            }
            BucketCopier.Pass pass = copier.copy(source, target, move.buckets(), move.snapshot(), progress);
            copied += pass.rows();
            move = move.copied(pass.snapshot(), copied);
            MoveHold.after("copied", progress);
            for (int round = 1; round <= MAX_CATCH_UPS && pass.rows() >= SMALL_DELTA; round++) {
                progress.accept("catching up (pass " + round + ")");
                pass = copier.copy(source, target, move.buckets(), move.snapshot(), progress);
                copied += pass.rows();
                move = move.copied(pass.snapshot(), copied);
            }
            OutboxDrain.awaitBacklog(move, source, progress);
            lock.requireHeld("freezing the buckets on " + move.from());
            frozenAt = System.nanoTime();
            List<Integer> moving = move.buckets();
            int frozen = source.inTransaction(handle -> BucketFence.freeze(handle, moving));
            move = move.frozen();
            progress.accept("froze " + frozen + " bucket(s) on " + move.from() + "; their records wait, every other"
                    + " bucket flows");
            MoveHold.after("frozen", progress);
        } else if (move.state().equals("frozen")) {
            lock.requireHeld("freezing the buckets on " + move.from() + " again");
            frozenAt = System.nanoTime();
            refreeze(move, source, progress);
        }
        if (move.state().equals("frozen")) {
            long version = switchOver(move, lock, source, target, progress);
            copied = Math.max(copied, move.rowsCopied());
            Duration frozenFor = Duration.ofNanos(System.nanoTime() - frozenAt);
            progress.accept("switched: buckets " + BucketRange.compact(move.buckets()) + " are on " + move.to()
                    + " (map version " + version + "); frozen for " + frozenFor.toMillis() + " ms; " + copied
                    + " row(s) copied; the source's rows stay until `shards cleanup`");
            return new Result(version, copied, frozenFor);
        }
        return new Result(move.mapVersion(), copied, Duration.ZERO);
    }

    /**
     * A move that aborts after its freeze unfreezes the source, then records the abort in the catalog: stopped between
     * the two (killed, or the catalog unreachable), it leaves the catalog saying frozen while the source writes the
     * buckets again. Resumed as frozen, the move would copy one last time and switch while the source still wrote, and
     * what the source wrote after that copy would stay behind on it. Freezing again changes nothing for buckets still
     * frozen, or already moved away.
     */
    private static void refreeze(Move move, Jdbi source, Consumer<String> progress) {
        int refrozen = source.inTransaction(handle -> BucketFence.freeze(handle, move.buckets()));
        if (refrozen > 0) {
            progress.accept("froze " + refrozen + " bucket(s) on " + move.from() + " again: the move was recorded as"
                    + " frozen but " + move.from() + " owned them (an abort stopped before it was recorded); their"
                    + " records wait again");
        }
    }

    /** Final catch-up, verification, then the switch: each part idempotent, so a resumed move repeats it safely. */
    private long switchOver(Move frozen, SessionLock lock, Jdbi source, Jdbi target, Consumer<String> progress) {
        Move move = frozen;
        Catalog.Versioned inForce = catalog.latest().orElseThrow();
        boolean published = move.buckets().stream().allMatch(b -> inForce.map().shardOf(b).equals(frozen.to()));
        long version;
        if (published) {
            version = inForce.version();
        } else {
            BucketCopier.Pass last = copier.copy(source, target, move.buckets(), move.snapshot(), progress);
            move = move.copied(last.snapshot(), move.rowsCopied() + last.rows());
            verify(move, lock, source, target, progress);
            OutboxDrain.awaitPublished(move, source, () -> lock.requireHeld("unfreezing the buckets on "
                    + frozen.from()), progress);
            lock.requireHeld("publishing the next bucket map");
            BucketMap next = inForce.map().withMoved(move.buckets(), move.to());
            Move finalMove = move;
            version = catalog.jdbi().inTransaction(handle -> Catalog.publish(handle, next, "moved buckets "
                    + BucketRange.compact(finalMove.buckets()) + " from " + finalMove.from() + " to "
                    + finalMove.to()));
            MoveHold.after("published", progress);
        }
        long mapVersion = version;
        Move finalMove = move;
        lock.requireHeld("making " + move.to() + " own the buckets");
        target.useTransaction(handle -> BucketFence.own(handle, finalMove.buckets(), mapVersion));
        MoveHold.after("owned", progress);
        lock.requireHeld("marking the buckets moved on " + move.from());
        source.useTransaction(handle -> BucketFence.moved(handle, finalMove.buckets(), finalMove.to(), mapVersion));
        move.switched(mapVersion);
        return mapVersion;
    }

    /** Counts and checksums per table must match; one full re-copy is tried before the move gives up. */
    private void verify(Move move, SessionLock lock, Jdbi source, Jdbi target, Consumer<String> progress) {
        BucketCopier.Checksums both = BucketCopier.checksumsAtOnce(source, target, move.buckets());
        List<String> expected = both.source();
        List<String> actual = both.target();
        if (expected.equals(actual)) {
            progress.accept("verified: " + String.join(", ", expected.stream()
                    .map(each -> each.substring(0, each.indexOf('/'))).toList()) + " rows match");
            return;
        }
        progress.accept("verification found differences (" + expected + " vs " + actual + "); copying everything"
                + " once more");
        copier.copy(source, target, move.buckets(), null, progress);
        actual = BucketCopier.checksums(target, move.buckets());
        if (!expected.equals(actual)) {
            lock.requireHeld("unfreezing the buckets on " + move.from());
            source.useTransaction(handle -> BucketFence.unfreeze(handle, move.buckets()));
            move.aborted("verification failed: " + expected + " vs " + actual);
            throw new MoveRefused("move " + move.id() + " aborted, the source owns its buckets again:"
                    + " the target's copy differs from the source's: " + expected + " vs " + actual);
        }
    }

    /**
     * Consecutive runs of {@code buckets} holding at most {@link #stepEvents} stored events each (a bucket holding
     * more is a step of its own), by the source's inbox, which holds one row per event.
     */
    private List<List<Integer>> steps(Jdbi source, List<Integer> buckets) {
        Map<Integer, Long> events = new HashMap<>();
        source.useHandle(handle -> handle.createQuery(
                        "SELECT bucket, count(*) FROM inbox WHERE bucket = ANY(:buckets::integer[]) GROUP BY bucket")
                .bind("buckets", buckets.toArray(Integer[]::new))
                .map((rs, ctx) -> Map.entry(rs.getInt(1), rs.getLong(2)))
                .forEach(entry -> events.put(entry.getKey(), entry.getValue())));
        List<List<Integer>> steps = new ArrayList<>();
        List<Integer> step = new ArrayList<>();
        long inStep = 0;
        for (int bucket : buckets) {
            long here = events.getOrDefault(bucket, 0L);
            if (!step.isEmpty() && inStep + here > stepEvents) {
                steps.add(List.copyOf(step));
                step.clear();
                inStep = 0;
            }
            step.add(bucket);
            inStep += here;
        }
        if (!step.isEmpty()) {
            steps.add(List.copyOf(step));
        }
        return steps;
    }

    /**
     * Rows the target still holds of these buckets (it moved them away and was not cleaned up) are what an instance
     * still on the map before that move reads: they are deleted only once every instance has had the time to follow
     * the map that moved them away, so that no order a reader saw answers 404 while the buckets come back.
     */
    private void awaitFollowers(Jdbi target, Move move, Consumer<String> progress) {
        long millis = target.withHandle(handle -> handle.createQuery("""
                        SELECT coalesce(ceil(extract(epoch FROM max(changed_at) + make_interval(secs => :settle)
                            - clock_timestamp()) * 1000), 0)::bigint
                        FROM bucket_ownership WHERE bucket = ANY(:buckets::integer[]) AND state = 'moved'""")
                .bind("settle", followersSettle.toMillis() / 1000.0)
                .bind("buckets", move.buckets().toArray(Integer[]::new))
                .mapTo(Long.class).one());
        if (millis <= 0) {
            return;
        }
        progress.accept("waiting " + millis + " ms for every instance to follow the map that moved these buckets"
                + " away from " + move.to() + " before deleting its stale rows of them");
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted before move " + move.id() + " deleted stale rows; run the"
                    + " move again to finish it", e);
        }
    }

    /**
     * A target that vouches for buckets the map gives the source contradicts the map: copying over its rows would
     * split the buckets' users between two owners. Nothing has been frozen or switched yet (a resumed move whose first
     * pass was cut short may have copied part of them), so the move ends here, as aborted: left unfinished, every
     * later move would resume it first and be refused with it.
     */
    private static void requireTargetDoesNotOwn(Jdbi target, Move move) {
        List<Integer> owned = target.withHandle(handle -> ownedOrFrozen(handle, move.buckets()));
        if (!owned.isEmpty()) {
            String refusal = move.to() + " already vouches for buckets " + BucketRange.compact(owned)
                    + " (bucket_ownership), which the bucket map gives " + move.from();
            move.aborted("refused: " + refusal);
            throw new MoveRefused("move " + move.id() + " refused: " + refusal + "; nothing was frozen or switched,"
                    + " and the move is closed as aborted; find out why " + move.to() + " vouches for them before"
                    + " moving them there");
        }
    }

    private static List<Integer> ownedOrFrozen(Handle handle, List<Integer> buckets) {
        return handle.createQuery("""
                        SELECT bucket FROM bucket_ownership
                        WHERE bucket = ANY(:buckets::integer[]) AND state IN ('owned', 'frozen') ORDER BY bucket""")
                .bind("buckets", buckets.toArray(Integer[]::new)).mapTo(Integer.class).list();
    }
}
