package io.hookshard.cli;

import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.cli.ConfiguredCommand;
import io.dropwizard.core.setup.Bootstrap;
import io.hookshard.HookshardConfiguration;
import net.sourceforge.argparse4j.impl.Arguments;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code events tail [config.yml] [--from-beginning] [--max N]}: prints the downstream events of
 * {@code kafka.topics.events}, one CloudEvent (JSON) a line, as a downstream consumer receives them: each order's in
 * order. Joins no consumer group and commits nothing, so it can run beside real consumers; Ctrl-C stops it.
 */
public final class EventsCommand extends ConfiguredCommand<HookshardConfiguration> {
    public EventsCommand() {
        super("events", "Print the downstream events, one CloudEvent a line");
    }

    @Override
    public void configure(Subparser subparser) {
        subparser.addArgument("action").choices("tail").help("tail: print events as they are published");
        super.configure(subparser);
        subparser.addArgument("--from-beginning").dest("fromBeginning").action(Arguments.storeTrue())
                .help("start at the oldest event the topic keeps, not at its end");
        subparser.addArgument("--max").dest("max").type(Integer.class)
                .help("stop after printing this many events");
    }

    @Override
    protected void run(Bootstrap<HookshardConfiguration> bootstrap, Namespace namespace,
                       HookshardConfiguration config) {
        String topic = config.getKafka().getTopics().getEvents();
        Integer max = namespace.getInt("max");
        if (max != null && max < 1) {
            throw new IllegalArgumentException("--max takes a positive number, got " + max);
        }
        PrintStream out = System.out;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.getKafka().getBootstrapServers(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            if (namespace.getBoolean("fromBeginning")) {
                consumer.seekToBeginning(partitions);
            } else {
                consumer.seekToEnd(partitions);
            }
            int printed = 0;
            while (max == null || printed < max) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    out.println(new String(record.value(), StandardCharsets.UTF_8));
                    if (max != null && ++printed >= max) {
                        break;
                    }
                }
                out.flush();
            }
        }
    }

    @Override
    public void onError(Cli cli, Namespace namespace, Throwable failure) {
        CliSupport.printError(cli.getStdErr(), failure);
    }
}
