package io.hookshard.db;

import io.hookshard.router.BucketFunction;
import liquibase.Contexts;
import liquibase.LabelExpression;
import liquibase.Liquibase;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.exception.LiquibaseException;
import liquibase.resource.ClassLoaderResourceAccessor;
import org.jdbi.v3.core.Jdbi;

import javax.sql.DataSource;
import java.io.Writer;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Applies the one shard changelog to a shard. Liquibase's lock table serializes instances that start together;
 * the changelog path is recorded in every shard and must never change.
 */
public final class ShardMigrator {
    public static final String CHANGELOG = "migrations/shard-changelog.sql";

    private ShardMigrator() {
    }

    /**
     * Applies pending changesets and fills the buckets of rows written before rows carried one, or with
     * {@code dryRun} writes the changesets' SQL to {@code sqlOutput} instead.
     */
    public static void migrate(DataSource dataSource, boolean dryRun, Writer sqlOutput, BucketFunction buckets)
            throws SQLException, LiquibaseException {
        try (Connection connection = dataSource.getConnection()) {
            Database database = DatabaseFactory.getInstance()
                    .findCorrectDatabaseImplementation(new JdbcConnection(connection));
            try (Liquibase liquibase = new Liquibase(CHANGELOG, new ClassLoaderResourceAccessor(), database)) {
                if (dryRun) {
                    liquibase.update(new Contexts(), new LabelExpression(), sqlOutput);
                } else {
                    liquibase.update(new Contexts(), new LabelExpression());
                }
            }
        }
        if (!dryRun) {
            Jdbi.create(dataSource).useHandle(handle -> RowBuckets.fill(handle, buckets));
        }
    }
}
