package io.hookshard.chaos;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The dead-letter topics hold exactly the poison records: each once, with its reason and its bytes. */
final class DeadLetterCheck {
    private final Findings findings;

    DeadLetterCheck(Findings findings) {
        this.findings = findings;
    }

    void check(List<Poison.Written> poison, List<Stored.DeadLetter> deadLetters) {
        Map<String, Poison.Written> expected = new HashMap<>();
        poison.forEach(written -> expected.put(written.topic() + "-" + written.partition() + "@" + written.offset(),
                written));
        Set<String> matched = new HashSet<>();
        for (Stored.DeadLetter letter : deadLetters) {
            String origin = letter.originalTopic() + "-" + letter.originalPartition() + "@" + letter.originalOffset();
            Poison.Written written = expected.get(origin);
            if (written == null) {
                findings.add(Findings.DEAD_LETTERS_UNEXPECTED, origin + " dead-lettered as " + letter.reason()
                        + ", not a poison record");
            } else if (!matched.add(origin)) {
                findings.add(Findings.DEAD_LETTERS_DUPLICATED, origin + " (" + written.label()
                        + ") dead-lettered again");
            } else if (!written.expectedReason().equals(letter.reason())
                    || !written.valueDigest().equals(letter.valueDigest())) {
                findings.add(Findings.DEAD_LETTERS_WRONG_REASON, origin + " (" + written.label() + "): "
                        + letter.reason() + " with value " + letter.valueDigest() + ", expected "
                        + written.expectedReason() + " with value " + written.valueDigest());
            }
        }
        expected.forEach((origin, written) -> {
            if (!matched.contains(origin)) {
                findings.add(Findings.DEAD_LETTERS_MISSING, origin + " (" + written.label() + ") is in no dead-letter"
                        + " topic");
            }
        });
    }
}
