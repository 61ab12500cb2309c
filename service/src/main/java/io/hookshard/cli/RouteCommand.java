package io.hookshard.cli;

import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.cli.ConfiguredCommand;
import io.dropwizard.core.setup.Bootstrap;
import io.hookshard.HookshardConfiguration;
import io.hookshard.router.Route;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

/** {@code route <key> [config.yml]}: the bucket and shard of a user id (or of an order id, for the directory). */
public final class RouteCommand extends ConfiguredCommand<HookshardConfiguration> {
    public RouteCommand() {
        super("route", "Print the bucket and shard of a user id (or order id)");
    }

    @Override
    public void configure(Subparser subparser) {
        subparser.addArgument("key").help("a user_id (or an order_id, whose directory entry lives there)");
        super.configure(subparser);
    }

    @Override
    protected void run(Bootstrap<HookshardConfiguration> bootstrap, Namespace namespace,
                       HookshardConfiguration config) {
        String key = namespace.getString("key");
        if (key.isBlank()) {
            // No webhook carries an empty id (the schema's identifier has at least one character).
            throw new IllegalArgumentException("the key is empty; give a user id, or a chargeback's order id");
        }
        Route route = config.getShards().router().route(key);
        System.out.printf("key=%s bucket=%d shard=%s%n", route.key(), route.bucket(), route.shardId());
    }

    @Override
    public void onError(Cli cli, Namespace namespace, Throwable failure) {
        CliSupport.printError(cli.getStdErr(), failure);
    }
}
