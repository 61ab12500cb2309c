package io.hookshard.processing;

import io.hookshard.core.Envelope;
import io.hookshard.core.EventType;

import java.util.List;

/** Applies decoded envelopes of one type to the shards. Consumers call it per poll; sync mode per request. */
public interface EventSink {
    EventType type();

    /** One outcome per envelope, in input order. Never throws for a failing shard: that is an outcome. */
    List<Outcome> apply(List<Envelope> envelopes);
}
