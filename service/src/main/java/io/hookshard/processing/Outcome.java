package io.hookshard.processing;

/**
 * What became of one event. APPLIED and DUPLICATE are done; PERMANENT can never succeed (dead-letter it);
 * TRANSIENT may succeed later (retry with backoff, never dead-letter); NOT_YET waits for something else to arrive
 * first (a chargeback whose order is not known yet: park it); PARKED and DEAD_LETTERED are done too, elsewhere.
 */
public record Outcome(Kind kind, String reason, String detail, String shardId) {
    public enum Kind { APPLIED, DUPLICATE, PERMANENT, TRANSIENT, NOT_YET, PARKED, DEAD_LETTERED }

    public static final String UNEXPECTED_ERROR = "unexpected_error";
    /** The same provider event id arrived before with other content (or an order event names another owner). */
    public static final String CONFLICTING_REDELIVERY = "conflicting_redelivery";
    /** The shard refused the event's bucket: a move froze it there, or it moved away and the map will say where. */
    public static final String BUCKET_NOT_OWNED = "bucket_not_owned";

    private static final Outcome APPLIED = new Outcome(Kind.APPLIED, null, null, null);
    private static final Outcome DUPLICATE = new Outcome(Kind.DUPLICATE, null, null, null);

    public static Outcome applied() {
        return APPLIED;
    }

    public static Outcome duplicate() {
        return DUPLICATE;
    }

    public static Outcome permanent(String reason, String detail) {
        return new Outcome(Kind.PERMANENT, reason, detail, null);
    }

    public static Outcome transientFailure(String shardId, Throwable cause) {
        return new Outcome(Kind.TRANSIENT, "shard_unavailable", String.valueOf(cause), shardId);
    }

    /**
     * The shard does not own the event's bucket now. Transient like an unavailable shard, but over as soon as a move
     * switches or the map catches up, so it is retried at a short fixed interval rather than with growing backoff.
     */
    public static Outcome notOwned(String shardId) {
        return new Outcome(Kind.TRANSIENT, BUCKET_NOT_OWNED, "shard " + shardId + " does not own the event's bucket"
                + " now (a bucket move froze it, or it moved away); retried on the bucket map in force", shardId);
    }

    /**
     * A failure nobody foresaw (a bug, a record no code path expects): it is dead-lettered with the exception, so
     * that it can neither stop its partition nor be lost, and can be replayed once the cause is fixed.
     */
    public static Outcome unexpected(Throwable failure) {
        return new Outcome(Kind.PERMANENT, UNEXPECTED_ERROR, failure.getClass().getName() + ": " + failure.getMessage(),
                null);
    }

    /**
     * A record that could be set aside (dead-lettered, parked) but lies behind a record of its partition that waits:
     * it waits too, keeping its reason, so that it is set aside once, when the partition's commit can pass it.
     */
    public static Outcome behindWaiting(Outcome setAside) {
        return new Outcome(Kind.TRANSIENT, setAside.reason(), "waits behind an earlier record of its partition: "
                + setAside.detail(), setAside.shardId());
    }

    public static Outcome notYet(String reason, String detail) {
        return new Outcome(Kind.NOT_YET, reason, detail, null);
    }

    public Outcome parked() {
        return new Outcome(Kind.PARKED, reason, detail, shardId);
    }

    public Outcome deadLettered() {
        return new Outcome(Kind.DEAD_LETTERED, reason, detail, shardId);
    }

    public boolean isDone() {
        return kind == Kind.APPLIED || kind == Kind.DUPLICATE || kind == Kind.PARKED || kind == Kind.DEAD_LETTERED;
    }

    public boolean isRetryable() {
        return kind == Kind.TRANSIENT || kind == Kind.NOT_YET;
    }
}
