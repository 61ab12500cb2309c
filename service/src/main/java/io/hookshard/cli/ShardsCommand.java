package io.hookshard.cli;

import com.codahale.metrics.MetricRegistry;
import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.cli.ConfiguredCommand;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.db.ManagedDataSource;
import io.hookshard.HookshardConfiguration;
import io.hookshard.config.ShardFactory;
import io.hookshard.db.ShardDatabases;
import io.hookshard.db.ShardMigrator;
import io.hookshard.move.BucketCleanup;
import io.hookshard.move.BucketMover;
import io.hookshard.routing.Catalog;
import io.hookshard.tasks.BucketsMoveTask;
import io.dropwizard.util.Duration;
import org.jdbi.v3.core.Jdbi;
import io.hookshard.router.BucketFunction;
import net.sourceforge.argparse4j.impl.Arguments;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code shards migrate|status [config.yml] [--shard NAME] [--dry-run]}: Dropwizard's {@code db migrate} knows one
 * database; this applies the shard changelog to every shard of config.yml, or reports on each.
 * {@code shards move config.yml --buckets 0-255 --to shard-c} moves buckets while the service runs (as the
 * buckets-move task does); {@code shards cleanup config.yml [--grace 1h]} deletes moved buckets' rows from their
 * old shard.
 */
public final class ShardsCommand extends ConfiguredCommand<HookshardConfiguration> {
    public ShardsCommand() {
        super("shards", "Migrate every shard, or print each shard's status");
    }

    @Override
    public void configure(Subparser subparser) {
        subparser.addArgument("action").choices("migrate", "status", "move", "cleanup").help("migrate: apply"
                + " pending changesets; status: reachability, schema version, partitions and row counts; move:"
                + " move --buckets to shard --to; cleanup: delete the rows of buckets moved away over --grace ago");
        super.configure(subparser);
        subparser.addArgument("--shard").dest("shard").help("only this shard id");
        subparser.addArgument("--dry-run").dest("dryRun").action(Arguments.storeTrue())
                .help("print the SQL that migrate would run, change nothing");
        subparser.addArgument("--buckets").dest("buckets").help("move: the buckets to move, e.g. 0-255,300");
        subparser.addArgument("--to").dest("to").help("move: the shard id to move them to");
        subparser.addArgument("--grace").dest("grace").setDefault("1h")
                .help("cleanup: how long a moved bucket's rows stay on its old shard (e.g. 1h, 30m, 0s)");
    }

    @Override
    protected void run(Bootstrap<HookshardConfiguration> bootstrap, Namespace namespace,
                       HookshardConfiguration config) throws Exception {
        String only = namespace.getString("shard");
        List<ShardFactory> shards = config.getShards().getShards().stream()
                .filter(shard -> only == null || shard.getId().equals(only)).toList();
        if (shards.isEmpty()) {
            throw new IllegalArgumentException("no shard " + only + " in the configuration");
        }
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        String action = namespace.getString("action");
        if (action.equals("move") || action.equals("cleanup")) {
            moveOrCleanUp(config, namespace, action, out);
            return;
        }
        boolean migrate = namespace.getString("action").equals("migrate");
        List<String> failed = new java.util.ArrayList<>();
        for (ShardFactory shard : shards) {
            ManagedDataSource dataSource = shard.getDatabase().build(new MetricRegistry(), "shards." + shard.getId());
            try {
                if (migrate) {
                    migrate(shard, dataSource, namespace.getBoolean("dryRun"),
                            new BucketFunction(config.getShards().getBuckets()), out);
                } else {
                    ShardStatus.print(shard.getId(), dataSource, config.getShards().bucketMap(), out);
                }
            } catch (Exception e) {
                failed.add(shard.getId());
                out.printf("shard %s: FAILED: %s%n", shard.getId(), e.getMessage());
            } finally {
                dataSource.stop();
            }
        }
        if (!failed.isEmpty()) {
            throw new IllegalStateException("shards " + failed + " failed; the others are done and consistent");
        }
    }

    private static void moveOrCleanUp(HookshardConfiguration config, Namespace namespace, String action,
                                      PrintWriter out) {
        Map<String, Jdbi> jdbis = new LinkedHashMap<>();
        List<ManagedDataSource> dataSources = new java.util.ArrayList<>();
        try {
            for (ShardFactory shard : config.getShards().getShards()) {
                ManagedDataSource dataSource = shard.getDatabase().build(new MetricRegistry(),
                        "shards." + shard.getId());
                dataSources.add(dataSource);
                jdbis.put(shard.getId(), Jdbi.create(dataSource));
            }
            ShardDatabases shards = new ShardDatabases(jdbis);
            String catalogShard = config.getShards().catalogShardId();
            Catalog catalog = new Catalog(jdbis.get(catalogShard), catalogShard);
            if (action.equals("cleanup")) {
                new BucketCleanup(shards, catalog).run(Duration.parse(namespace.getString("grace")).toJavaDuration(),
                        out::println);
                return;
            }
            String buckets = namespace.getString("buckets");
            String to = namespace.getString("to");
            if (buckets == null || to == null) {
                throw new IllegalArgumentException("move needs --buckets (e.g. 0-255) and --to (a shard id)");
            }
            List<BucketMover.Result> results = new BucketMover(shards, catalog,
                    config.getShards().getMapRefreshInterval().toJavaDuration(),
                    config.getShards().getMoveStepEvents())
                    .move(BucketsMoveTask.parse(buckets), to, out::println);
            out.printf("done: %d move(s); %s%n", results.size(), results);
        } finally {
            for (ManagedDataSource dataSource : dataSources) {
                try {
                    dataSource.stop();
                } catch (Exception e) {
                    out.printf("closing a pool failed: %s%n", e);
                }
            }
        }
    }

    private static void migrate(ShardFactory shard, ManagedDataSource dataSource, boolean dryRun,
                                BucketFunction buckets, PrintWriter out) throws Exception {
        if (dryRun) {
            out.printf("-- shard %s: pending changesets%n", shard.getId());
        }
        ShardMigrator.migrate(dataSource, dryRun, out, buckets);
        out.flush();
        if (!dryRun) {
            out.printf("shard %s: migrated%n", shard.getId());
        }
    }

    @Override
    public void onError(Cli cli, Namespace namespace, Throwable failure) {
        CliSupport.printError(cli.getStdErr(), failure);
    }
}
