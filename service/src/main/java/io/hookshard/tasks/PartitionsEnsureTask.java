package io.hookshard.tasks;

import io.dropwizard.servlets.tasks.Task;
import io.hookshard.db.PartitionManager;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /tasks/partitions-ensure[?months=N]}: creates the event-table partitions of the current month and the
 * next N (default: the configured monthsAhead) on every shard now, printing each step. Safe to run twice.
 */
public final class PartitionsEnsureTask extends Task {
    private final PartitionManager partitions;
    private final int defaultMonthsAhead;

    public PartitionsEnsureTask(PartitionManager partitions, int defaultMonthsAhead) {
        super("partitions-ensure");
        this.partitions = partitions;
        this.defaultMonthsAhead = defaultMonthsAhead;
    }

    @Override
    public void execute(Map<String, List<String>> parameters, PrintWriter output) {
        TaskParameters.only(parameters, "months");
        int months = TaskParameters.integer(parameters, "months", defaultMonthsAhead, 0, 120);
        output.println("ensuring partitions for the current month and " + months + " more on every shard");
        output.flush();
        List<PartitionManager.Report> reports = partitions.ensure(months, line -> {
            output.println(line);
            output.flush();
        });
        long failed = reports.stream().filter(PartitionManager.Report::failed).count();
        int created = reports.stream().mapToInt(report -> report.created().size()).sum();
        output.println("done: " + created + " partition(s) created, " + (reports.size() - failed) + " shard(s) ready, "
                + failed + " failed");
        output.flush();
    }
}
