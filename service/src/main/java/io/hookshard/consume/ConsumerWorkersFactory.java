package io.hookshard.consume;

import com.codahale.metrics.MetricRegistry;
import io.hookshard.core.EnvelopeCodec;
import io.hookshard.processing.EventSink;
import org.apache.kafka.clients.consumer.KafkaConsumer;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Builds the worker slots of each topic: {@code workersPerTopic} slots on the topic itself and one on its parked
 * records, each building a fresh KafkaConsumer whenever its worker (re)starts.
 */
public final class ConsumerWorkersFactory {
    private final WorkerSettings template;
    private final int workersPerTopic;
    private final Function<String, Map<String, Object>> consumerProperties;
    private final ConsumerControl control;
    private final LagTracker lag;
    private final Consumer<Error> fatal;
    private final MetricRegistry metrics;

    /**
     * @param template           settings every worker shares (its name and topic are replaced per worker)
     * @param consumerProperties the KafkaConsumer properties for a client id
     */
    public ConsumerWorkersFactory(WorkerSettings template, int workersPerTopic,
                                  Function<String, Map<String, Object>> consumerProperties, ConsumerControl control,
                                  LagTracker lag, Consumer<Error> fatal, MetricRegistry metrics) {
        this.template = template;
        this.workersPerTopic = workersPerTopic;
        this.consumerProperties = consumerProperties;
        this.control = control;
        this.lag = lag;
        this.fatal = fatal;
        this.metrics = metrics;
    }

    public List<ConsumerPool.NamedFactory> build(Map<String, EventSink> sinksByTopic, EnvelopeCodec codec,
                                                 DeadLetters deadLetters, Parking parking) {
        List<ConsumerPool.NamedFactory> slots = new ArrayList<>();
        sinksByTopic.forEach((topic, sink) -> {
            RecordHandler handler = new RecordHandler(codec, sink, deadLetters, parking, metrics, topic);
            for (int n = 0; n < workersPerTopic; n++) {
                slots.add(slot(topic, "kafka-" + topic + "-" + n, false, handler));
            }
            // Parked events are few; one worker per topic re-applies them when they fall due.
            String retryTopic = TopicNames.retry(topic);
            RecordHandler retryHandler = new RecordHandler(codec, sink, deadLetters, parking, metrics, retryTopic);
            slots.add(slot(retryTopic, "kafka-" + retryTopic + "-0", true, retryHandler));
        });
        return slots;
    }

    private ConsumerPool.NamedFactory slot(String topic, String name, boolean parked, RecordHandler handler) {
        WorkerSettings settings = new WorkerSettings(name, topic, parked, template.pollTimeout(),
                template.maxWaiting(), template.retryBatchSize(), template.retryBackoff(), template.lagInterval());
        ConsumerWorker.Observers observers = new ConsumerWorker.Observers(lag,
                metrics.counter(MetricRegistry.name("hookshard", "consumer", topic, "deleted-unapplied")));
        return new ConsumerPool.NamedFactory(name, () -> new ConsumerWorker(settings,
                new KafkaConsumer<>(consumerProperties.apply(name)), handler, control, observers, fatal,
                Clock.systemUTC()));
    }
}
