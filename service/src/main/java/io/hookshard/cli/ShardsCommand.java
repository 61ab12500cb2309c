package io.hookshard.cli;

import com.codahale.metrics.MetricRegistry;
import io.dropwizard.core.cli.ConfiguredCommand;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.db.ManagedDataSource;
import io.hookshard.HookshardConfiguration;
import io.hookshard.config.ShardFactory;
import io.hookshard.db.ShardMigrator;
import io.hookshard.router.BucketFunction;
import net.sourceforge.argparse4j.impl.Arguments;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@code shards migrate|status [config.yml] [--shard NAME] [--dry-run]}: Dropwizard's {@code db migrate} knows one
 * database; this applies the shard changelog to every shard of config.yml, or reports on each.
 */
public final class ShardsCommand extends ConfiguredCommand<HookshardConfiguration> {
    public ShardsCommand() {
        super("shards", "Migrate every shard, or print each shard's status");
    }

    @Override
    public void configure(Subparser subparser) {
        subparser.addArgument("action").choices("migrate", "status").help("migrate: apply pending changesets;"
                + " status: reachability, schema version, partitions and row counts");
        super.configure(subparser);
        subparser.addArgument("--shard").dest("shard").help("only this shard id");
        subparser.addArgument("--dry-run").dest("dryRun").action(Arguments.storeTrue())
                .help("print the SQL that migrate would run, change nothing");
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
}
