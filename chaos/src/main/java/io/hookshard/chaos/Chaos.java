package io.hookshard.chaos;

/**
 * {@code java -jar chaos/target/hookshard-chaos.jar --minutes 10 --seed 42}: a chaos run (see {@link ChaosRun}).
 * Prints {@code chaos: <accepted> accepted, <lost> lost, <doubled> doubled, <faults> faults} last, and exits 1 when
 * anything was lost, doubled, misplaced or mismatched, or the run could not settle; 2 on bad arguments.
 */
public final class Chaos {
    private Chaos() {
    }

    public static void main(String[] args) throws Exception {
        ChaosSettings settings;
        try {
            settings = ChaosSettings.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Report report = new ChaosRun(settings).run();
        System.out.println((report.passed() ? "PASSED" : "FAILED") + "; report: "
                + settings.out().resolve(ChaosRun.REPORT) + (report.passed() ? "" : " (problems and examples there)"));
        System.out.println(report.summaryLine());
        System.out.flush();
        System.exit(report.passed() ? 0 : 1);
    }
}
