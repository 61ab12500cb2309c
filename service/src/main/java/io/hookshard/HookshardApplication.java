package io.hookshard;

import com.fasterxml.jackson.databind.SerializationFeature;
import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.hookshard.cli.RouteCommand;
import io.hookshard.cli.ShardsCommand;
import io.hookshard.cli.SignCommand;
import io.hookshard.config.KafkaFactory.KafkaClients;
import io.hookshard.config.ShardsFactory;
import io.hookshard.core.EnvelopeCodec;
import io.hookshard.core.EventDecoder;
import io.hookshard.core.EventType;
import io.hookshard.core.PayloadSchemas;
import io.hookshard.core.WebhookIntake;
import io.hookshard.db.DirectoryStore;
import io.hookshard.db.DisputeStore;
import io.hookshard.db.OrderQueries;
import io.hookshard.db.OrderStore;
import io.hookshard.db.ShardDatabases;
import io.hookshard.errors.UnexpectedExceptionMapper;
import io.hookshard.errors.WebApplicationExceptionMapper;
import io.hookshard.processing.DisputeSink;
import io.hookshard.processing.EventSink;
import io.hookshard.processing.OrderSink;
import io.hookshard.resources.OrderResource;
import io.hookshard.resources.SchemaResource;
import io.hookshard.resources.WebhookResource;
import io.hookshard.security.StandardWebhookVerifier;
import io.hookshard.tasks.PartitionsEnsureTask;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

public class HookshardApplication extends Application<HookshardConfiguration> {
    public static void main(String[] args) throws Exception {
        new HookshardApplication().run(args);
    }

    @Override
    public String getName() {
        return "hookshard";
    }

    @Override
    public void initialize(Bootstrap<HookshardConfiguration> bootstrap) {
        // config.yml reads brokers, shard URLs and secrets from ${ENV_VAR:-default}.
        bootstrap.setConfigurationSourceProvider(new SubstitutingSourceProvider(
                bootstrap.getConfigurationSourceProvider(), new EnvironmentVariableSubstitutor(false)));
        // Timestamps in answers are RFC 3339 strings, like the ones the providers send.
        bootstrap.getObjectMapper().disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        bootstrap.addCommand(new ShardsCommand());
        bootstrap.addCommand(new RouteCommand());
        bootstrap.addCommand(new SignCommand());
    }

    @Override
    public void run(HookshardConfiguration config, Environment environment) {
        PayloadSchemas schemas = new PayloadSchemas();
        EventDecoder decoder = new EventDecoder(schemas);
        EnvelopeCodec codec = new EnvelopeCodec(environment.getObjectMapper());

        ShardsFactory.Shards built = config.getShards().build(environment);
        ShardDatabases shards = built.databases();
        DirectoryStore directory = new DirectoryStore(shards);
        Map<String, EventSink> sinksByTopic = new LinkedHashMap<>();
        sinksByTopic.put(config.getKafka().getTopics().getOrders(),
                new OrderSink(decoder, shards, directory, new OrderStore(shards)));
        sinksByTopic.put(config.getKafka().getTopics().getDisputes(),
                new DisputeSink(decoder, shards, directory, new DisputeStore(shards)));

        KafkaClients kafka = config.getKafka().build(environment, codec);
        config.getConsumers().build(environment, config.getKafka().getBootstrapServers(), sinksByTopic, codec,
                kafka.deadLetters());

        StandardWebhookVerifier verifier = new StandardWebhookVerifier(config.getWebhooks().secrets(),
                Duration.ofSeconds(config.getWebhooks().getTimestampTolerance().toSeconds()), Clock.systemUTC());
        WebhookIntake intake = new WebhookIntake(verifier, environment.getObjectMapper(), schemas, Clock.systemUTC());
        environment.jersey().register(new WebhookResource(intake, kafka.publisher(), Map.of(
                EventType.ORDER_PAYMENT, config.getKafka().getTopics().getOrders(),
                EventType.CHARGEBACK, config.getKafka().getTopics().getDisputes()),
                config.getWebhooks().getMaxBodySize().toBytes(), environment.metrics()));
        environment.jersey().register(new OrderResource(new OrderQueries(shards, directory)));
        environment.jersey().register(new SchemaResource(schemas));
        environment.jersey().register(new WebApplicationExceptionMapper());
        environment.admin().addTask(new PartitionsEnsureTask(built.partitions(),
                config.getShards().getPartitions().getMonthsAhead()));
        environment.jersey().register(new UnexpectedExceptionMapper());
    }
}
