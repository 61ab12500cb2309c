package io.hookshard.cli;

import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.cli.ConfiguredCommand;
import io.dropwizard.core.setup.Bootstrap;
import io.hookshard.HookshardConfiguration;
import io.hookshard.kafka.TopicInitializer;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;
import org.apache.kafka.clients.admin.Admin;

/**
 * {@code topics create [config.yml]}: creates the webhook, retry and dead-letter topics and the downstream events topic
 * as the service would at startup (and grows their partition count), for deployments that prepare the cluster in a one-shot step.
 */
public final class TopicsCommand extends ConfiguredCommand<HookshardConfiguration> {
    public TopicsCommand() {
        super("topics", "Create the topics of config.yml");
    }

    @Override
    public void configure(Subparser subparser) {
        subparser.addArgument("action").choices("create").help("create: create missing topics, grow partitions");
        super.configure(subparser);
    }

    @Override
    protected void run(Bootstrap<HookshardConfiguration> bootstrap, Namespace namespace,
                       HookshardConfiguration config) throws Exception {
        try (Admin admin = Admin.create(config.getKafka().adminProperties())) {
            TopicInitializer topics = new TopicInitializer(admin, config.getKafka().getTopics());
            topics.ensureTopics();
            System.out.println("topics ready: " + topics.topicNames());
        }
    }

    @Override
    public void onError(Cli cli, Namespace namespace, Throwable failure) {
        CliSupport.printError(cli.getStdErr(), failure);
    }
}
