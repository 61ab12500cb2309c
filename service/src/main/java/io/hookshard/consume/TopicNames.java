package io.hookshard.consume;

/** The topics that belong to a webhook topic: where its parked events wait and where its dead letters go. */
public final class TopicNames {
    private static final String RETRY = ".retry";
    private static final String DEAD_LETTERS = ".dlq";

    private TopicNames() {
    }

    /** Where events of {@code topic} wait for something that has not arrived yet (e.g. their order). */
    public static String retry(String topic) {
        return topic + RETRY;
    }

    /** The dead-letter topic of {@code topic}. */
    public static String deadLetters(String topic) {
        return topic + DEAD_LETTERS;
    }

    /** The webhook topic that {@code topic} holds parked events of, or {@code topic} itself. */
    public static String source(String topic) {
        return topic.endsWith(RETRY) ? topic.substring(0, topic.length() - RETRY.length()) : topic;
    }
}
