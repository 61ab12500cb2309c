package io.hookshard.processing;

import io.hookshard.core.Envelope;
import io.hookshard.core.EventType;

import java.util.Collection;
import java.util.List;
import java.util.Set;

/** Applies decoded envelopes of one type to the shards. Consumers call it per poll; sync mode per request. */
public interface EventSink {
    EventType type();

    /** One outcome per envelope, in input order. Never throws for a failing shard: that is an outcome. */
    List<Outcome> apply(List<Envelope> envelopes);

    /**
     * Of the record keys of parked events, those whose events may be applied now (for chargebacks: orders whose
     * owner the directory knows). The default, all of them, retries every parked event on every check.
     */
    default Set<String> ready(Collection<String> keys) {
        return Set.copyOf(keys);
    }
}
