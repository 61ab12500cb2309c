package io.hookshard;

import com.fasterxml.jackson.databind.SerializationFeature;
import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.hookshard.cli.EventsCommand;
import io.hookshard.cli.LoadCommand;
import io.hookshard.cli.RouteCommand;
import io.hookshard.cli.ShardsCommand;
import io.hookshard.cli.SignCommand;
import io.hookshard.cli.TopicsCommand;
import io.hookshard.config.ConsumersFactory;
import io.hookshard.config.IngestFactory;
import io.hookshard.config.KafkaFactory.KafkaClients;
import io.hookshard.config.ShardsFactory;
import io.hookshard.config.TopicsFactory;
import io.hookshard.consume.ConsumerControl;
import io.hookshard.core.EnvelopeCodec;
import io.hookshard.core.EventDecoder;
import io.hookshard.core.EventType;
import io.hookshard.core.Ingestion;
import io.hookshard.core.PayloadSchemas;
import io.hookshard.core.WebhookIntake;
import io.hookshard.db.DirectoryStore;
import io.hookshard.db.DisputeStore;
import io.hookshard.db.OrderQueries;
import io.hookshard.db.OrderStore;
import io.hookshard.db.ShardDatabases;
import io.hookshard.errors.JsonErrorHandler;
import io.hookshard.errors.UnexpectedExceptionMapper;
import io.hookshard.errors.WebApplicationExceptionMapper;
import io.hookshard.health.KafkaDurabilityHealthCheck;
import io.hookshard.kafka.KafkaIngestion;
import io.hookshard.move.BucketMover;
import io.hookshard.move.UnfinishedMoveNotice;
import io.hookshard.kafka.TopicDurability;
import io.hookshard.processing.DisputeSink;
import io.hookshard.processing.EventSink;
import io.hookshard.processing.InFlightWrites;
import io.hookshard.processing.OrderSink;
import io.hookshard.processing.SyncIngestion;
import io.hookshard.providers.ProviderAdapters;
import io.hookshard.providers.ProviderIntake;
import io.hookshard.resources.AnswerTimeouts;
import io.hookshard.resources.OrderResource;
import io.hookshard.resources.ProviderWebhookResource;
import io.hookshard.resources.SchemaResource;
import io.hookshard.resources.ContentTypeFilter;
import io.hookshard.resources.UnreadBodyFilter;
import io.hookshard.resources.WebhookAcceptFilter;
import io.hookshard.resources.WebhookResource;
import io.hookshard.routing.Routing;
import io.hookshard.tasks.BucketMapTask;
import io.hookshard.tasks.BucketsMoveTask;
import io.hookshard.tasks.ConsumersPauseTask;
import io.hookshard.tasks.DlqReplayTask;
import io.hookshard.tasks.PartitionsEnsureTask;
import io.hookshard.tasks.TaskEndpoint;
import io.prometheus.metrics.exporter.servlet.jakarta.PrometheusMetricsServlet;
import io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import jakarta.servlet.DispatcherType;
import org.glassfish.jersey.server.ServerProperties;

import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;

public class HookshardApplication extends Application<HookshardConfiguration> {
    /** Answers up to this size carry a Content-Length (webhook answers and most errors); larger ones are chunked. */
    private static final int ANSWER_BUFFER_BYTES = 2048;

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
        bootstrap.addCommand(new LoadCommand());
        bootstrap.addCommand(new TopicsCommand());
        bootstrap.addCommand(new EventsCommand());
    }

    @Override
    public void run(HookshardConfiguration config, Environment environment) {
        config.getAdmin().install(environment, config.getServerFactory());
        PayloadSchemas schemas = new PayloadSchemas();
        EventDecoder decoder = new EventDecoder(schemas);
        EnvelopeCodec codec = new EnvelopeCodec();

        ShardsFactory.Shards built = config.getShards().build(environment);
        ShardDatabases shards = built.databases();
        DirectoryStore directory = new DirectoryStore(shards);
        Routing routing = built.routing();
        // A batch's shards are written at once (see ShardedWrite). Unbounded and handed off: at most one task per
        // shard beyond the first for each batch being written, and a batch never waits for another's task.
        ExecutorService shardWrites = environment.lifecycle().executorService("shard-writes-%d").minThreads(0)
                .maxThreads(Integer.MAX_VALUE).workQueue(new SynchronousQueue<>()).build();
        InFlightWrites inFlight = new InFlightWrites();
        inFlight.watch(environment.lifecycle().scheduledExecutorService("shard-write-watch").threads(1).build());
        EventSink orderSink = new OrderSink(decoder, routing, directory, new OrderStore(shards), environment.metrics(),
                shardWrites, inFlight);
        EventSink disputeSink = new DisputeSink(decoder, routing, directory, new DisputeStore(shards),
                environment.metrics(), shardWrites, inFlight);

        TopicsFactory topics = config.getKafka().getTopics();
        Ingestion ingestion;
        Duration guard;
        ConsumerControl control;
        List<String> pausable;
        if (config.getIngest().getMode() == IngestFactory.Mode.KAFKA) {
            KafkaClients kafka = config.getKafka().build(environment, codec);
            ConsumersFactory.Consumers consumers = config.getConsumers().build(environment,
                    config.getKafka().getBootstrapServers(),
                    Map.of(topics.getOrders(), orderSink, topics.getDisputes(), disputeSink),
                    Map.of(topics.getDisputes(), topics.getOrders()), codec, kafka, java.time.Duration.ofMillis(
                            config.getShards().getPartitions().getInboxRetention().toMilliseconds()));
            environment.healthChecks().register("kafka-durability",
                    new KafkaDurabilityHealthCheck(new TopicDurability(kafka.admin(), topics)));
            List<String> topicNames = List.of(topics.getOrders(), topics.getDisputes());
            TaskEndpoint.register(environment.admin(), new DlqReplayTask(config.getKafka().getBootstrapServers(),
                    kafka.producer(), topicNames, kafka.ackTimeout(), built.catalog().jdbi()));
            control = consumers.control();
            pausable = List.of(topics.getOrders(), topics.getDisputes(), topics.getEvents());
            ingestion = new KafkaIngestion(kafka.publisher(), Map.of(
                    EventType.ORDER_PAYMENT, topics.getOrders(), EventType.CHARGEBACK, topics.getDisputes()));
            guard = kafka.ackTimeout().plusSeconds(5);
        } else {
            control = new ConsumerControl();
            pausable = List.of(topics.getEvents());
            ingestion = new SyncIngestion(List.of(orderSink, disputeSink));
            guard = Duration.ofSeconds(60);
        }
        // The relays publish in both modes: sync mode writes through the same stores, so into the same outboxes.
        config.getOutbox().build(environment, config.getKafka(), config.getShards().getShards(),
                () -> control.isPaused(topics.getEvents()), config.getIngest().getMode() == IngestFactory.Mode.SYNC);
        TaskEndpoint.register(environment.admin(), ConsumersPauseTask.pause(control, pausable));
        TaskEndpoint.register(environment.admin(), ConsumersPauseTask.resume(control, pausable));

        WebhookIntake intake = new WebhookIntake(config.getWebhooks().verifiers(Clock.systemUTC()),
                environment.getObjectMapper(), schemas, decoder, Clock.systemUTC(), ProviderAdapters.names());
        environment.jersey().register(new AnswerTimeouts());
        environment.jersey().register(new WebhookResource(intake, ingestion, guard,
                config.getWebhooks().getMaxBodySize().toBytes(), environment.metrics()));
        ProviderIntake providers = new ProviderIntake(config.getWebhooks().providerAdapters(Clock.systemUTC()),
                environment.getObjectMapper(), schemas, decoder, Clock.systemUTC());
        environment.jersey().register(new ProviderWebhookResource(providers, ingestion, guard,
                config.getWebhooks().getMaxBodySize().toBytes(), environment.metrics()));
        // Jersey buffers each answer to give it a Content-Length, in a new 8 KiB array per response, for webhook answers
        // of under 100 bytes: about a seventh of what ingest allocated per webhook. Larger answers go out chunked.
        environment.jersey().property(ServerProperties.OUTBOUND_CONTENT_LENGTH_BUFFER, ANSWER_BUFFER_BYTES);
        environment.jersey().register(new UnreadBodyFilter(config.getWebhooks().getMaxBodySize().toBytes()));
        environment.servlets().addFilter("content-type", new ContentTypeFilter(environment.getObjectMapper()))
                .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/*");
        environment.servlets().addFilter("webhook-accept", new WebhookAcceptFilter())
                .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/*");
        environment.jersey().register(new OrderResource(new OrderQueries(shards, routing, directory)));
        environment.jersey().register(new SchemaResource(schemas));
        environment.jersey().register(new WebApplicationExceptionMapper(environment.metrics()));
        environment.jersey().register(new UnexpectedExceptionMapper());
        environment.lifecycle().addServerLifecycleListener(server ->
                server.setErrorHandler(new JsonErrorHandler(environment.getObjectMapper())));
        TaskEndpoint.register(environment.admin(), new PartitionsEnsureTask(built.partitions(),
                config.getShards().getPartitions().getMonthsAhead()));
        TaskEndpoint.register(environment.admin(), new BucketMapTask(shards, routing, built.catalog()));
        BucketMover mover = new BucketMover(shards, built.catalog(),
                config.getShards().getMapRefreshInterval().toJavaDuration(), config.getShards().getMoveStepEvents());
        environment.lifecycle().manage(new UnfinishedMoveNotice(mover));
        TaskEndpoint.register(environment.admin(), new BucketsMoveTask(mover));
        TaskEndpoint.answerUnknownTasks(environment.admin(), environment.getObjectMapper());
        // The same metrics in Prometheus' text format, through the maintained Dropwizard bridge.
        PrometheusRegistry prometheus = new PrometheusRegistry();
        DropwizardExports.builder().dropwizardRegistry(environment.metrics()).register(prometheus);
        environment.admin().addServlet("prometheus", new PrometheusMetricsServlet(prometheus)).addMapping("/prometheus");
    }
}
