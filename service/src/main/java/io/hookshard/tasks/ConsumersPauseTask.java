package io.hookshard.tasks;

import io.dropwizard.servlets.tasks.Task;
import io.hookshard.consume.ConsumerControl;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /tasks/consumers-pause[?topic=T]} and {@code POST /tasks/consumers-resume[?topic=T]}: stop or restart
 * this instance's consumption of one topic, or of all. Ingest keeps answering 202 while paused (Kafka keeps the
 * events). The downstream events topic is among the topics: pausing it stops this instance's outbox relays (the events
 * wait in the outboxes). Safe to run twice; run it on every instance to pause the whole group.
 */
public final class ConsumersPauseTask extends Task {
    private static final Duration CONFIRM_WITHIN = Duration.ofSeconds(10);

    private final ConsumerControl control;
    private final List<String> topics;
    private final boolean pause;

    private ConsumersPauseTask(String name, ConsumerControl control, List<String> topics, boolean pause) {
        super(name);
        this.control = control;
        this.topics = List.copyOf(topics);
        this.pause = pause;
    }

    public static ConsumersPauseTask pause(ConsumerControl control, List<String> topics) {
        return new ConsumersPauseTask("consumers-pause", control, topics, true);
    }

    public static ConsumersPauseTask resume(ConsumerControl control, List<String> topics) {
        return new ConsumersPauseTask("consumers-resume", control, topics, false);
    }

    @Override
    public void execute(Map<String, List<String>> parameters, PrintWriter output) throws InterruptedException {
        TaskParameters.only(parameters, "topic");
        String topic = TaskParameters.string(parameters, "topic");
        if (topic != null && !topics.contains(topic)) {
            throw new IllegalArgumentException("topic must be one of " + topics + ", got " + topic);
        }
        for (String each : topic == null ? topics : List.of(topic)) {
            boolean changed = pause ? control.pause(each) : control.resume(each);
            output.printf("%s: %s%n", each, pause ? (changed ? "paused" : "was already paused")
                    : (changed ? "resumed" : "was not paused"));
        }
        // A worker sees the change on its next loop, after the batch in hand: "paused" is a promise once all have.
        for (String each : topic == null ? topics : List.of(topic)) {
            List<String> behind = control.awaitSeen(each, CONFIRM_WITHIN);
            if (!behind.isEmpty()) {
                output.printf("%s: not yet seen by %s after %d s (a batch in hand, or a shard retried); run the task"
                        + " again to check%n", each, behind, CONFIRM_WITHIN.toSeconds());
            }
        }
        output.printf("paused now: %s%n", control.paused());
        output.flush();
    }
}
