--liquibase formatted sql

-- Every shard gets this same changelog. Writes are idempotent by construction: the inbox admits each provider
-- event once per shard, in the same transaction as its event row and the state change.

--changeset hookshard:1-inbox
CREATE TABLE inbox (
    event_type        text        NOT NULL,
    provider_event_id text        NOT NULL,
    event_id          uuid        NOT NULL,
    processed_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (event_type, provider_event_id)
);

--changeset hookshard:1-orders
CREATE TABLE orders (
    order_id               text        PRIMARY KEY,
    user_id                text        NOT NULL,
    status                 text        NOT NULL,
    status_rank            smallint    NOT NULL,
    amount_minor           bigint      NOT NULL CHECK (amount_minor >= 0),
    currency               char(3)     NOT NULL,
    last_event_at          timestamptz NOT NULL,
    last_provider_event_id text        NOT NULL,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_user_idx ON orders (user_id, order_id);

--changeset hookshard:1-order-events
-- Partitioned by the provider's occurred_at, one partition per month (created ahead by the service) and a DEFAULT
-- partition so that an insert never fails for want of a partition. The unique key must include the partition key;
-- the inbox is what makes a redelivery with another occurred_at a no-op.
CREATE TABLE order_events (
    order_id          text        NOT NULL,
    provider_event_id text        NOT NULL,
    occurred_at       timestamptz NOT NULL,
    user_id           text        NOT NULL,
    status            text        NOT NULL,
    amount_minor      bigint      NOT NULL CHECK (amount_minor >= 0),
    currency          char(3)     NOT NULL,
    event_id          uuid        NOT NULL,
    received_at       timestamptz NOT NULL,
    stored_at         timestamptz NOT NULL DEFAULT now(),
    payload           jsonb       NOT NULL,
    UNIQUE (order_id, provider_event_id, occurred_at)
) PARTITION BY RANGE (occurred_at);
CREATE TABLE order_events_default PARTITION OF order_events DEFAULT;

--changeset hookshard:1-order-directory
-- order_id -> owner, on the shard that hash(order_id) names: chargebacks carry only the order_id.
CREATE TABLE order_directory (
    order_id   text        PRIMARY KEY,
    user_id    text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

--changeset hookshard:1-disputes
CREATE TABLE disputes (
    dispute_id             text        PRIMARY KEY,
    order_id               text        NOT NULL,
    user_id                text        NOT NULL,
    status                 text        NOT NULL,
    status_rank            smallint    NOT NULL,
    reason                 text        NOT NULL,
    amount_minor           bigint      NOT NULL CHECK (amount_minor >= 0),
    currency               char(3)     NOT NULL,
    last_event_at          timestamptz NOT NULL,
    last_provider_event_id text        NOT NULL,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX disputes_order_idx ON disputes (order_id);

--changeset hookshard:1-dispute-events
CREATE TABLE dispute_events (
    dispute_id        text        NOT NULL,
    provider_event_id text        NOT NULL,
    occurred_at       timestamptz NOT NULL,
    order_id          text        NOT NULL,
    user_id           text        NOT NULL,
    status            text        NOT NULL,
    reason            text        NOT NULL,
    amount_minor      bigint      NOT NULL CHECK (amount_minor >= 0),
    currency          char(3)     NOT NULL,
    event_id          uuid        NOT NULL,
    received_at       timestamptz NOT NULL,
    stored_at         timestamptz NOT NULL DEFAULT now(),
    payload           jsonb       NOT NULL,
    UNIQUE (dispute_id, provider_event_id, occurred_at)
) PARTITION BY RANGE (occurred_at);
CREATE TABLE dispute_events_default PARTITION OF dispute_events DEFAULT;

--changeset hookshard:2-bucket-usage
-- The buckets whose keys have rows on this shard, marked in the same transaction as the rows. The startup
-- interlock refuses a bucket map that gives one of these buckets to another shard.
CREATE TABLE bucket_usage (
    bucket        integer     PRIMARY KEY CHECK (bucket >= 0),
    first_used_at timestamptz NOT NULL DEFAULT now()
);

--changeset hookshard:2-shard-identity
-- Which shard of which bucket map this database is: recorded at every start that passes the interlock.
CREATE TABLE shard_identity (
    singleton    boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    shard_id     text        NOT NULL,
    bucket_count integer     NOT NULL,
    buckets      text        NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now()
);

--changeset hookshard:3-payload-json
-- Payloads are stored as the provider's JSON text, as received and signed: json keeps it exactly (jsonb would reorder
-- keys and refuse \u0000), and checks it for less than a third of what jsonb costs to build, on the sink's hot path.
ALTER TABLE order_events ALTER COLUMN payload TYPE json USING payload::json;
ALTER TABLE dispute_events ALTER COLUMN payload TYPE json USING payload::json;

--changeset hookshard:4-inbox-digest
-- What each admitted event said (the first 16 bytes of the SHA-256 of its payload text), so that a redelivery saying
-- something else under the same provider event id is caught as a conflict instead of passing as a duplicate. Rows
-- admitted before this change have none and compare equal to anything.
ALTER TABLE inbox ADD COLUMN digest bytea;

--changeset hookshard:5-row-buckets
-- Every sharded row carries the bucket of its routing key (the user's; the order id's in order_directory), so that a
-- bucket's rows can be found, copied, verified and deleted when the bucket moves to another shard; and the
-- transaction that last wrote it (txid), so that a move's catch-up copies exactly what changed since its previous
-- pass (rows whose txid its previous snapshot did not see). Rows written before this change get their bucket from
-- the service's backfill (the bucket function lives in Java); the index serves both a bucket's rows and its changes.
ALTER TABLE inbox ADD COLUMN bucket integer, ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id();
ALTER TABLE orders ADD COLUMN bucket integer, ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id();
ALTER TABLE order_events ADD COLUMN bucket integer, ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id();
ALTER TABLE order_directory ADD COLUMN bucket integer, ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id();
ALTER TABLE disputes ADD COLUMN bucket integer, ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id();
ALTER TABLE dispute_events ADD COLUMN bucket integer, ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX inbox_bucket_idx ON inbox (bucket, txid);
CREATE INDEX orders_bucket_idx ON orders (bucket, txid);
CREATE INDEX order_events_bucket_idx ON order_events (bucket, txid);
CREATE INDEX order_directory_bucket_idx ON order_directory (bucket, txid);
CREATE INDEX disputes_bucket_idx ON disputes (bucket, txid);
CREATE INDEX dispute_events_bucket_idx ON dispute_events (bucket, txid);

--changeset hookshard:6-bucket-ownership
-- On every shard: the buckets it owns, as the shard itself vouches for them. Every write transaction takes a shared
-- advisory lock and checks that its buckets are 'owned' here; a bucket move freezes buckets under the exclusive lock,
-- so no writer can slip a row past a freeze, and a writer on an old bucket map is refused instead of splitting a
-- user's data across shards. 'moved' stays behind as a tombstone naming the new owner.
CREATE TABLE bucket_ownership (
    bucket      integer     PRIMARY KEY CHECK (bucket >= 0),
    state       text        NOT NULL CHECK (state IN ('owned', 'frozen', 'moved')),
    map_version bigint      NOT NULL,
    moved_to    text,
    changed_at  timestamptz NOT NULL DEFAULT now()
);

--changeset hookshard:6-bucket-map-catalog
-- Used on the catalog shard only (the first of config.yml): every version of the bucket map (config.yml seeds
-- version 1; each bucket move adds one), and the moves themselves, so that a move can be resumed where it stopped.
CREATE TABLE bucket_map_versions (
    version      bigint      PRIMARY KEY,
    bucket_count integer     NOT NULL,
    assignment   text        NOT NULL,
    reason       text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE bucket_moves (
    move_id      bigserial   PRIMARY KEY,
    buckets      text        NOT NULL,
    from_shard   text        NOT NULL,
    to_shard     text        NOT NULL,
    state        text        NOT NULL CHECK (state IN ('copying', 'frozen', 'switched', 'aborted')),
    snapshot     text,
    rows_copied  bigint      NOT NULL DEFAULT 0,
    map_version  bigint,
    started_at   timestamptz NOT NULL DEFAULT now(),
    frozen_at    timestamptz,
    switched_at  timestamptz,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    detail       text
);

--changeset hookshard:7-outbox
-- Downstream events (see README, "Downstream events"): one row per change of an order's or a dispute's state, written
-- in the transaction of the change. id, aggregatetype, aggregateid, type and payload are the columns Debezium's outbox
-- event router reads, so CDC can replace the relay. The relay publishes in seq order and sets published_at after the
-- broker's ack; published rows are trimmed after a retention. bucket is the owner's bucket, so that a bucket move can
-- wait for its bucket's events to be published before the bucket leaves this shard.
CREATE TABLE outbox (
    seq           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id            uuid        NOT NULL UNIQUE,
    aggregatetype text        NOT NULL,
    aggregateid   text        NOT NULL,
    type          text        NOT NULL,
    payload       json        NOT NULL,
    bucket        integer     NOT NULL CHECK (bucket >= 0),
    created_at    timestamptz NOT NULL DEFAULT now(),
    published_at  timestamptz
);
CREATE INDEX outbox_unpublished_idx ON outbox (seq) WHERE published_at IS NULL;
CREATE INDEX outbox_published_idx ON outbox (published_at) WHERE published_at IS NOT NULL;

--changeset hookshard:8-disputes-per-order
-- A dispute is a provider's dispute id on one order. Keyed by the dispute id alone, a chargeback naming a dispute id
-- already stored for another order was written over that order's dispute (its status, amount and reason), and the
-- other order kept none.
ALTER TABLE disputes DROP CONSTRAINT disputes_pkey, ADD PRIMARY KEY (dispute_id, order_id);
