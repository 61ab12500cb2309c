package io.hookshard.embedded;

/** A real single-node Kafka cluster (KRaft, broker and controller in one node). */
public interface KafkaBroker extends AutoCloseable {
    /** Starts the broker, formatting its storage on first use; returns once clients can use it. */
    KafkaBroker start();

    /** Controlled shutdown. */
    void stop();

    /** A crash: the broker stops without a controlled shutdown (SIGKILL where it is a process of its own). */
    void kill();

    boolean isRunning();

    String bootstrapServers();

    @Override
    default void close() {
        stop();
    }
}
