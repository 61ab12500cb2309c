package io.hookshard.outbox;

/** Makes sure the topic exists before anything is produced to it (the broker's auto-create is never relied on). */
@FunctionalInterface
public interface TopicReady {
    void ensure() throws Exception;
}
