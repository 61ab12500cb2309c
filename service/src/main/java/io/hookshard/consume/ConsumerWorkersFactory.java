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
    private final ConsumeSettings settings;
    private final Function<String, Map<String, Object>> consumerProperties;
    private final ConsumerControl control;
    private final LagTracker lag;
    private final Consumer<Error> fatal;
    private final MetricRegistry metrics;

    /** @param consumerProperties the KafkaConsumer properties for a client id */
    public ConsumerWorkersFactory(ConsumeSettings settings, Function<String, Map<String, Object>> consumerProperties,
                                  ConsumerControl control, LagTracker lag, Consumer<Error> fatal,
                                  MetricRegistry metrics) {
        this.settings = settings;
        this.consumerProperties = consumerProperties;
        this.control = control;
        this.lag = lag;
        this.fatal = fatal;
        this.metrics = metrics;
    }

    /**
     * @param sinksByTopic the webhook topics and what applies their records
     * @param awaitedBy    for a topic whose records can wait for another topic's (chargebacks for orders), that topic
     */
    public List<ConsumerPool.NamedFactory> build(Map<String, EventSink> sinksByTopic, Map<String, String> awaitedBy,
                                                 EnvelopeCodec codec, DeadLetters deadLetters, Parking parking) {
        List<ConsumerPool.NamedFactory> slots = new ArrayList<>();
        sinksByTopic.forEach((topic, sink) -> {
            RecordHandler handler = new RecordHandler(codec, sink, deadLetters, parking, metrics, topic, true,
                    settings.dedupWindow());
            for (int n = 0; n < settings.workersPerTopic(); n++) {
                String name = "kafka-" + topic + "-" + n;
                slots.add(new ConsumerPool.NamedFactory(name, () -> {
                    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties.apply(name));
                    return worker(name, topic, consumer, new RetryingFlow(name, handler, settings.retryBackoff(),
                            settings.retryBatchSize(), System::nanoTime));
                }));
            }
            // Parked events are few; one worker per topic holds them and applies them once they can be.
            String retryTopic = TopicNames.retry(topic);
            String name = "kafka-" + retryTopic + "-0";
            RecordHandler retryHandler = new RecordHandler(codec, sink, deadLetters, parking, metrics, retryTopic,
                    false, settings.dedupWindow());
            slots.add(new ConsumerPool.NamedFactory(name, () -> {
                KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties.apply(name));
                return worker(name, retryTopic, consumer, new ParkedFlow(name, retryHandler, parking, sink::ready,
                        new AwaitedTopic(consumer, awaitedBy.get(topic)), settings.parking(), Clock.systemUTC()));
            }));
        });
        return slots;
    }

    private ConsumerWorker worker(String name, String topic, KafkaConsumer<byte[], byte[]> consumer, RecordFlow flow) {
        ConsumerWorker.Observers observers = new ConsumerWorker.Observers(lag,
                metrics.counter(MetricRegistry.name("hookshard", "consumer", topic, "deleted-unapplied")));
        return new ConsumerWorker(settings.worker(name, topic), consumer, flow, control, observers, fatal);
    }
}
