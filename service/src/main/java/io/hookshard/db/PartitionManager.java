package io.hookshard.db;

import org.jdbi.v3.core.Handle;

import java.time.Clock;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The monthly partitions (UTC months of the provider's occurred_at) of the event tables on every shard. Creating a
 * month whose rows already sit in the DEFAULT partition moves them in, in the same transaction; an advisory lock
 * keeps two instances from doing it at once. Every operation is safe to run twice.
 */
public final class PartitionManager {
    public static final List<String> TABLES = List.of("order_events", "dispute_events");
    private static final DateTimeFormatter SUFFIX = DateTimeFormatter.ofPattern("'_p'yyyy'_'MM");
    private static final Pattern MONTHLY = Pattern.compile("(.+)_p(\\d{4})_(\\d{2})");

    private final ShardDatabases shards;
    private final Clock clock;

    public PartitionManager(ShardDatabases shards, Clock clock) {
        this.shards = shards;
        this.clock = clock;
    }

    /** What one run did on one shard, or why it failed there. */
    public record Report(String shardId, List<String> created, List<String> dropped, String failure) {
        public boolean failed() {
            return failure != null;
        }
    }

    /** Ensures the current month and {@code monthsAhead} more on every shard; a failing shard does not stop the others. */
    public List<Report> ensure(int monthsAhead, Consumer<String> progress) {
        YearMonth current = YearMonth.now(clock.withZone(ZoneOffset.UTC));
        List<Report> reports = new ArrayList<>();
        for (String shard : shards.shardIds()) {
            List<String> created = new ArrayList<>();
            try {
                for (int ahead = 0; ahead <= monthsAhead; ahead++) {
                    YearMonth month = current.plusMonths(ahead);
                    for (String table : TABLES) {
                        String name = partitionName(table, month);
                        if (shards.jdbi(shard).inTransaction(handle -> createMonth(handle, table, month))) {
                            created.add(name);
                            progress.accept(shard + ": created " + name);
                        }
                    }
                }
                reports.add(new Report(shard, created, List.of(), null));
                progress.accept(shard + ": partitions ready through " + current.plusMonths(monthsAhead)
                        + " (" + created.size() + " created)");
            } catch (RuntimeException e) {
                reports.add(new Report(shard, created, List.of(), e.getMessage()));
                progress.accept(shard + ": FAILED: " + e.getMessage());
            }
        }
        return reports;
    }

    /** Detaches and drops the monthly partitions that end before the last {@code keepMonths} months began. */
    public List<Report> dropOlderThan(int keepMonths, Consumer<String> progress) {
        YearMonth oldestKept = YearMonth.now(clock.withZone(ZoneOffset.UTC)).minusMonths(keepMonths);
        List<Report> reports = new ArrayList<>();
        for (String shard : shards.shardIds()) {
            List<String> dropped = new ArrayList<>();
            try {
                for (String partition : shards.jdbi(shard).withHandle(PartitionManager::monthlyPartitions)) {
                    Matcher matcher = MONTHLY.matcher(partition);
                    if (matcher.matches() && YearMonth.of(Integer.parseInt(matcher.group(2)),
                            Integer.parseInt(matcher.group(3))).isBefore(oldestKept)) {
                        shards.jdbi(shard).useTransaction(handle -> drop(handle, matcher.group(1), partition));
                        dropped.add(partition);
                        progress.accept(shard + ": dropped " + partition);
                    }
                }
                long expired = shards.jdbi(shard).withHandle(handle -> deleteFromDefault(handle, oldestKept));
                if (expired > 0) {
                    progress.accept(shard + ": deleted " + expired + " row(s) older than " + oldestKept
                            + " from the DEFAULT partitions");
                }
                reports.add(new Report(shard, List.of(), dropped, null));
            } catch (RuntimeException e) {
                reports.add(new Report(shard, List.of(), dropped, e.getMessage()));
                progress.accept(shard + ": FAILED: " + e.getMessage());
            }
        }
        return reports;
    }

    /**
     * Retention covers the DEFAULT partitions too: rows of months that had no partition of their own when they came
     * (or that were never created) would otherwise stay forever. In batches, so no transaction grows large.
     */
    private static long deleteFromDefault(Handle handle, YearMonth oldestKept) {
        String before = oldestKept.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC).toString();
        long deleted = 0;
        for (String table : TABLES) {
            int batch;
            do {
                batch = handle.createUpdate("DELETE FROM " + table + "_default WHERE ctid IN (SELECT ctid FROM " + table
                                + "_default WHERE occurred_at < :before::timestamptz LIMIT 10000)")
                        .bind("before", before).execute();
                deleted += batch;
            } while (batch > 0);
        }
        return deleted;
    }

    /**
     * Forgets inbox rows admitted longer ago than {@code window} on every shard, in batches; returns how many. Safe
     * because no redelivery can come later (see PartitionsFactory#inboxRetention); the consumers refuse older ones.
     */
    public long trimInbox(java.time.Duration window, Consumer<String> progress) {
        long total = 0;
        for (String shard : shards.shardIds()) {
            try {
                long trimmed = 0;
                int batch;
                do {
                    batch = shards.jdbi(shard).withHandle(handle -> handle.createUpdate("""
                                    DELETE FROM inbox WHERE ctid IN (SELECT ctid FROM inbox
                                    WHERE processed_at < now() - make_interval(secs => :seconds) LIMIT 10000)""")
                            .bind("seconds", (double) window.toSeconds()).execute());
                    trimmed += batch;
                } while (batch > 0);
                if (trimmed > 0) {
                    progress.accept(shard + ": forgot " + trimmed + " inbox row(s) admitted more than " + window
                            + " ago");
                }
                total += trimmed;
            } catch (RuntimeException e) {
                progress.accept(shard + ": inbox trim FAILED: " + e.getMessage());
            }
        }
        return total;
    }

    /** The name of {@code table}'s partition for {@code month}, such as order_events_p2026_11. */
    public static String partitionName(String table, YearMonth month) {
        return table + month.format(SUFFIX);
    }

    /** The partitions of the event tables on one shard, DEFAULT ones included, sorted by name. */
    public static List<String> partitions(Handle handle) {
        return handle.createQuery("""
                        SELECT child.relname FROM pg_inherits
                        JOIN pg_class parent ON parent.oid = pg_inherits.inhparent
                        JOIN pg_class child ON child.oid = pg_inherits.inhrelid
                        WHERE parent.relname IN (<tables>) ORDER BY child.relname""")
                .bindList("tables", TABLES)
                .mapTo(String.class)
                .list();
    }

    private static List<String> monthlyPartitions(Handle handle) {
        return partitions(handle).stream().filter(name -> MONTHLY.matcher(name).matches()).toList();
    }

    private static boolean createMonth(Handle handle, String table, YearMonth month) {
        String name = partitionName(table, month);
        handle.execute("SELECT pg_advisory_xact_lock(hashtext(?))", "hookshard.partitions." + table);
        if (exists(handle, name)) {
            return false;
        }
        String from = month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC).toString();
        String to = month.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC).toString();
        handle.execute("CREATE TABLE " + name + " (LIKE " + table + " INCLUDING DEFAULTS INCLUDING CONSTRAINTS)");
        // Rows the DEFAULT partition took for this month must move first, or attaching would be refused.
        handle.execute("WITH moved AS (DELETE FROM " + table + "_default WHERE occurred_at >= ?::timestamptz"
                + " AND occurred_at < ?::timestamptz RETURNING *) INSERT INTO " + name + " SELECT * FROM moved", from, to);
        handle.execute("ALTER TABLE " + table + " ATTACH PARTITION " + name + " FOR VALUES FROM ('" + from + "') TO ('"
                + to + "')");
        return true;
    }

    private static void drop(Handle handle, String table, String partition) {
        handle.execute("SELECT pg_advisory_xact_lock(hashtext(?))", "hookshard.partitions." + table);
        if (exists(handle, partition)) {
            handle.execute("ALTER TABLE " + table + " DETACH PARTITION " + partition);
            handle.execute("DROP TABLE " + partition);
        }
    }

    private static boolean exists(Handle handle, String name) {
        return handle.createQuery("SELECT to_regclass(:name) IS NOT NULL").bind("name", name)
                .mapTo(Boolean.class).one();
    }
}
