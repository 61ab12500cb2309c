package io.hookshard.chaos;

/** The faults of a run, by the names the report counts them under. */
enum FaultKind {
    /** SIGKILL an instance, then start it again. */
    KILL_INSTANCE("kill_instance"),
    /** SIGKILL the broker, then start it again on the same data. */
    KILL_BROKER("kill_broker"),
    /** SIGKILL a shard's postmaster and backends; start it again 5-60 s later (crash recovery). */
    KILL_SHARD("kill_shard"),
    /** SIGSTOP a shard for 70 s: a hang, not a refusal. */
    STOP_SHARD("stop_shard"),
    /** Start a third instance and stop it 20-40 s later: two rebalances. */
    EXTRA_INSTANCE("extra_instance"),
    /** Pause a topic's consumers on every instance through the admin task; resume 10-30 s later. */
    PAUSE_TOPIC("pause_topic"),
    /** SIGTERM an instance (its consumers commit), then start it again. */
    GRACEFUL_RESTART("graceful_restart");

    private final String reportName;

    FaultKind(String reportName) {
        this.reportName = reportName;
    }

    String reportName() {
        return reportName;
    }
}
