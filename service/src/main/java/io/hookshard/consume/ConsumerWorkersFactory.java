package io.hookshard.consume;

import com.codahale.metrics.MetricRegistry;
import io.hookshard.core.EnvelopeCodec;
import io.hookshard.processing.EventSink;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Builds the worker slots of each topic: {@code workersPerTopic} slots on the topic itself and one on its parked
 * records, each building a fresh KafkaConsumer and set-aside transaction whenever its worker (re)starts.
 */
public final class ConsumerWorkersFactory {
    private final ConsumeSettings settings;
    private final Function<String, Map<String, Object>> consumerProperties;
    private final Function<String, Producer<byte[], byte[]>> transactionalProducers;
    private final ConsumerControl control;
    private final LagTracker lag;
    private final Consumer<Error> fatal;
    private final MetricRegistry metrics;

    /**
     * @param consumerProperties     the KafkaConsumer properties for a client id
     * @param transactionalProducers builds a worker's transactional producer (by worker name) for what it sets aside
     */
    public ConsumerWorkersFactory(ConsumeSettings settings, Function<String, Map<String, Object>> consumerProperties,
                                  Function<String, Producer<byte[], byte[]>> transactionalProducers,
                                  ConsumerControl control, LagTracker lag, Consumer<Error> fatal,
                                  MetricRegistry metrics) {
        this.settings = settings;
        this.consumerProperties = consumerProperties;
        this.transactionalProducers = transactionalProducers;
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
            for (int n = 0; n < settings.workersPerTopic(); n++) {
                String name = "kafka-" + topic + "-" + n;
                slots.add(new ConsumerPool.NamedFactory(name, () -> {
                    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties.apply(name));
                    Progress progress = new Progress();
                    SetAsides setAsides = setAsides(name, consumer, progress);
                    RecordHandler handler = new RecordHandler(codec, sink, deadLetters, parking, setAsides, metrics,
                            topic, true, settings.dedupWindow());
                    return worker(name, topic, consumer, new RetryingFlow(name, progress, handler,
                            settings.retryBackoff(), settings.retryBatchSize(), System::nanoTime), setAsides);
                }));
            }
            // Parked events are few; one worker per topic holds them and applies them once they can be.
            String retryTopic = TopicNames.retry(topic);
            String name = "kafka-" + retryTopic + "-0";
            slots.add(new ConsumerPool.NamedFactory(name, () -> {
                KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties.apply(name));
                Progress progress = new Progress();
                SetAsides setAsides = setAsides(name, consumer, progress);
                RecordHandler handler = new RecordHandler(codec, sink, deadLetters, parking, setAsides, metrics,
                        retryTopic, false, settings.dedupWindow());
                return worker(name, retryTopic, consumer, new ParkedFlow(name, progress, handler, parking, setAsides,
                        sink::ready, new AwaitedTopic(consumer, awaitedBy.get(topic)), settings.parking(),
                        Clock.systemUTC()), setAsides);
            }));
        });
        return slots;
    }

    private SetAsides setAsides(String name, KafkaConsumer<byte[], byte[]> consumer, Progress progress) {
        return new SetAsides(() -> transactionalProducers.apply(name), consumer, progress::committed);
    }

    private ConsumerWorker worker(String name, String topic, KafkaConsumer<byte[], byte[]> consumer, RecordFlow flow,
                                  SetAsides setAsides) {
        ConsumerWorker.Observers observers = new ConsumerWorker.Observers(lag,
                metrics.counter(MetricRegistry.name("hookshard", "consumer", topic, "deleted-unapplied")));
        return new ConsumerWorker(settings.worker(name, topic), consumer, flow, setAsides, control, observers, fatal);
    }
}
