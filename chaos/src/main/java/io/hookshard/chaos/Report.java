package io.hookshard.chaos;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * chaos-report.json: what was sent and accepted, every problem count (0 is the only good figure), the faults by kind,
 * how the run settled, and examples of whatever went wrong.
 */
record Report(ChaosSettings settings, Map<FaultKind, Integer> faults, Verdict verdict, Settle.Result settle,
              boolean drained, List<String> faultFailures, List<String> harnessErrors) {

    long faultsTotal() {
        return faults.values().stream().mapToLong(Integer::longValue).sum();
    }

    boolean passed() {
        return verdict.clean() && settle.settled() && settle.workerProblems().isEmpty() && drained
                && faultFailures.isEmpty() && harnessErrors.isEmpty();
    }

    /** The last line a run prints. */
    String summaryLine() {
        return "chaos: " + verdict.accepted() + " accepted, " + verdict.problem(Findings.LOST) + " lost, "
                + verdict.problem(Findings.DOUBLED) + " doubled, " + faultsTotal() + " faults";
    }

    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("passed", passed());
        json.put("seed", settings.seed());
        json.put("seconds", settings.duration().toMillis() / 1000.0);
        json.put("rate", settings.rate());
        json.put("users", settings.users());
        json.put("accepted", verdict.accepted());
        json.put("lost", verdict.problem(Findings.LOST));
        json.put("doubled", verdict.problem(Findings.DOUBLED));
        json.put("wrong_shard", verdict.problem(Findings.WRONG_SHARD));
        json.put("state_mismatches", verdict.problem(Findings.STATE_MISMATCHES));
        json.put("dead_letters_expected", verdict.deadLettersExpected());
        json.put("dead_letters_found", verdict.deadLettersFound());
        Map<String, Integer> byKind = new LinkedHashMap<>();
        faults.forEach((kind, count) -> byKind.put(kind.reportName(), count));
        json.put("faults", byKind);
        json.put("faults_total", faultsTotal());
        json.put("problems", verdict.problems());
        json.put("events_sent", verdict.sent());
        json.put("unanswered", verdict.unanswered());
        json.put("unanswered_stored", verdict.unansweredStored());
        json.put("requests", verdict.requests());
        json.put("requests_per_second", Math.round(verdict.requestsPerSecond()));
        json.put("answers", verdict.answers());
        json.put("drained", drained);
        json.put("settled", settle.settled());
        json.put("settle_seconds", settle.seconds());
        json.put("committed_lag", settle.lag());
        json.put("records_waiting", settle.waiting());
        json.put("worker_problems", settle.workerProblems());
        json.put("worker_restarts", settle.workerRestarts());
        json.put("fault_failures", faultFailures);
        json.put("harness_errors", harnessErrors);
        json.put("examples", verdict.examples());
        return json;
    }

    void write(Path file) throws IOException {
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), toJson());
    }
}
