package io.hookshard.chaos;

import java.util.List;
import java.util.Map;

/**
 * What the check found: {@code accepted} provider events answered 202 at least once, of {@code sent} sent at least
 * once; {@code unanswered} were never answered 202, {@code unansweredStored} of them stored all the same (allowed,
 * once); problem counts by kind ({@link Findings}), with examples.
 */
record Verdict(long accepted, long sent, long unanswered, long unansweredStored, long requests,
               double requestsPerSecond, Map<String, Long> answers, long deadLettersExpected, long deadLettersFound,
               Map<String, Long> problems, Map<String, List<String>> examples) {

    long problem(String kind) {
        return problems.getOrDefault(kind, 0L);
    }

    boolean clean() {
        return problems.values().stream().allMatch(count -> count == 0);
    }
}
