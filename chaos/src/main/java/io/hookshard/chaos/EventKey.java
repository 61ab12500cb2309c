package io.hookshard.chaos;

/** A provider event's identity: the inbox's primary key. */
record EventKey(EventKind kind, String providerEventId) {
    @Override
    public String toString() {
        return kind.inboxType() + "/" + providerEventId;
    }
}
