package io.hookshard.kafka;

import com.codahale.metrics.MetricRegistry;
import io.hookshard.config.ConsumersFactory;
import io.hookshard.config.TopicsFactory;
import io.hookshard.core.EnvelopeCodec;
import io.hookshard.processing.EventSink;
import org.apache.kafka.clients.consumer.KafkaConsumer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builds the workers of each topic: {@code workersPerTopic} KafkaConsumers, each with its own batch handler. */
public final class ConsumerWorkersFactory {
    private ConsumerWorkersFactory() {
    }

    public static List<ConsumerWorker> build(ConsumersFactory config, String bootstrapServers,
                                             Map<String, EventSink> sinksByTopic, EnvelopeCodec codec,
                                             DeadLetters deadLetters, Parking parking, ConsumerControl control,
                                             LagTracker lag, MetricRegistry metrics) {
        Backoff backoff = new Backoff(Duration.ofMillis(config.getRetryBackoffMin().toMilliseconds()),
                Duration.ofMillis(config.getRetryBackoffMax().toMilliseconds()));
        Duration pollTimeout = Duration.ofMillis(config.getPollTimeout().toMilliseconds());
        List<ConsumerWorker> workers = new ArrayList<>();
        sinksByTopic.forEach((topic, sink) -> {
            BatchHandler handler = new BatchHandler(codec, sink, deadLetters, parking, metrics, topic);
            for (int n = 0; n < config.getWorkersPerTopic(); n++) {
                workers.add(worker(config, bootstrapServers, topic, "kafka-" + topic + "-" + n, handler, backoff,
                        pollTimeout, false, control, lag));
            }
            // Parked events are few; one gated worker per topic re-applies them when they fall due.
            String retryTopic = TopicsFactory.retryTopic(topic);
            BatchHandler retryHandler = new BatchHandler(codec, sink, deadLetters, parking, metrics, retryTopic);
            workers.add(worker(config, bootstrapServers, retryTopic, "kafka-" + retryTopic + "-0", retryHandler,
                    backoff, pollTimeout, true, control, lag));
        });
        return workers;
    }

    private static ConsumerWorker worker(ConsumersFactory config, String bootstrapServers, String topic, String name,
                                         BatchHandler handler, Backoff backoff, Duration pollTimeout, boolean gated,
                                         ConsumerControl control, LagTracker lag) {
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config.consumerProperties(bootstrapServers, name));
        return new ConsumerWorker(name, topic, consumer, handler, backoff, pollTimeout, config.getMaxWaitingRecords(),
                config.getMaxPollRecords(), gated, control, lag);
    }
}
