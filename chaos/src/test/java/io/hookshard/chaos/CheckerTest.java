package io.hookshard.chaos;

import io.hookshard.router.BucketFunction;
import io.hookshard.router.BucketMap;
import io.hookshard.router.ShardRouter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CheckerTest {
    private static final ShardRouter ROUTER = new ShardRouter(new BucketFunction(BucketFunction.DEFAULT_BUCKETS),
            BucketMap.evenSplit(BucketFunction.DEFAULT_BUCKETS, Cluster.SHARD_IDS));

    @TempDir
    Path dir;

    @Test
    void anAcceptedEventStoredOnceOnItsShardWithItsOrderInItsNewestStatePasses() throws Exception {
        PlannedEvent created = order("evt-1", "created", "2026-03-01T10:00:00Z");
        PlannedEvent paid = order("evt-2", "paid", "2026-03-01T10:05:00Z");
        Checker checker = checker(answers(created, "202", paid, "202"));
        store(checker, created, home(created));
        store(checker, paid, home(paid));
        state(checker, paid, home(paid));
        directory(checker, paid);

        Verdict verdict = checker.verdict();

        assertThat(verdict.problems()).allSatisfy((kind, count) -> assertThat(count).as(kind).isZero());
        assertThat(verdict.accepted()).isEqualTo(2);
        assertThat(verdict.clean()).isTrue();
    }

    @Test
    void anAcceptedEventWithNoRowIsLost() throws Exception {
        PlannedEvent paid = order("evt-1", "paid", "2026-03-01T10:05:00Z");
        Checker checker = checker(answers(paid, "503", paid, "202"));

        Verdict verdict = checker.verdict();

        assertThat(verdict.problem(Findings.LOST)).isEqualTo(1);
        assertThat(verdict.examples().get(Findings.LOST).get(0)).contains("evt-1").contains("2 requests");
    }

    @Test
    void anEventStoredTwiceIsDoubledAndACopyOnAnotherShardIsMisplaced() throws Exception {
        PlannedEvent paid = order("evt-1", "paid", "2026-03-01T10:05:00Z");
        Checker checker = checker(answers(paid, "202"));
        store(checker, paid, home(paid));
        store(checker, paid, elsewhere(home(paid)));
        state(checker, paid, home(paid));
        directory(checker, paid);

        Verdict verdict = checker.verdict();

        assertThat(verdict.problem(Findings.DOUBLED)).isEqualTo(1);
        assertThat(verdict.problem(Findings.WRONG_SHARD)).isEqualTo(1);
        assertThat(verdict.problem(Findings.LOST)).isZero();
    }

    @Test
    void anEventStoredOnlyOnAnotherShardIsMisplacedNotLost() throws Exception {
        PlannedEvent paid = order("evt-1", "paid", "2026-03-01T10:05:00Z");
        Checker checker = checker(answers(paid, "202"));
        store(checker, paid, elsewhere(home(paid)));

        Verdict verdict = checker.verdict();

        assertThat(verdict.problem(Findings.WRONG_SHARD)).isEqualTo(1);
        assertThat(verdict.problem(Findings.LOST)).isZero();
    }

    @Test
    void anEventNeverAcceptedMayBeStoredOnceButNotTwice() throws Exception {
        PlannedEvent once = order("evt-1", "paid", "2026-03-01T10:05:00Z");
        PlannedEvent twice = new PlannedEvent(EventKind.ORDER, "evt-2", "usr-2", "ord-2", null, "paid", 100, "EUR",
                null, "2026-03-01T10:05:00Z", "digest-2", 300);
        Checker checker = checker(answers(once, "io:ConnectException", twice, "timeout"));
        store(checker, once, home(once));
        state(checker, once, home(once));
        directory(checker, once);
        store(checker, twice, home(twice));
        store(checker, twice, home(twice));
        state(checker, twice, home(twice));
        directory(checker, twice);

        Verdict verdict = checker.verdict();

        assertThat(verdict.unanswered()).isEqualTo(2);
        assertThat(verdict.unansweredStored()).isEqualTo(2);
        assertThat(verdict.problem(Findings.DOUBLED)).isEqualTo(1);
        assertThat(verdict.examples().get(Findings.DOUBLED)).singleElement().asString().contains("evt-2");
        assertThat(verdict.problem(Findings.LOST)).isZero();
    }

    @Test
    void anInboxRowWithoutItsEventRowIsIncompleteAndAnAcceptedEventWithoutItIsLost() throws Exception {
        PlannedEvent paid = order("evt-1", "paid", "2026-03-01T10:05:00Z");
        Checker checker = checker(answers(paid, "202"));
        checker.inbox(home(paid), paid.key(), paid.inboxDigest());

        Verdict verdict = checker.verdict();

        assertThat(verdict.problem(Findings.INCOMPLETE)).isEqualTo(1);
        assertThat(verdict.problem(Findings.LOST)).isEqualTo(1);
    }

    @Test
    void anEventRowThatSaysSomethingElseOrAnInboxDigestOfOtherBytesIsAMismatch() throws Exception {
        PlannedEvent paid = order("evt-1", "paid", "2026-03-01T10:05:00Z");
        Checker checker = checker(answers(paid, "202"));
        checker.inbox(home(paid), paid.key(), "another-digest");
        checker.event(new Stored.Event(home(paid), EventKind.ORDER, paid.providerEventId(), paid.userId(),
                paid.orderId(), null, "refunded", paid.amountMinor(), paid.currency(), null,
                Model.instant(paid.occurredAt())));
        state(checker, paid, home(paid));
        directory(checker, paid);

        assertThat(checker.verdict().problem(Findings.EVENT_MISMATCHES)).isEqualTo(2);
    }

    @Test
    void theOrderHoldsItsNewestEventByInstantThenRankThenIdInByteOrder() throws Exception {
        PlannedEvent paid = order("evt-9", "paid", "2026-03-01T10:00:00Z");
        // The same instant written with another offset: a tie the rank breaks.
        PlannedEvent refunded = order("evt-10", "refunded", "2026-03-01T11:00:00+01:00");
        // Same instant, same rank: the id breaks the tie, byte by byte ("evt-11" > "evt-10").
        PlannedEvent refundedAgain = order("evt-11", "refunded", "2026-03-01T10:00:00.000000Z");
        PlannedEvent older = order("evt-99", "canceled", "2026-03-01T09:59:59.999999Z");
        List<PlannedEvent> events = List.of(paid, refunded, refundedAgain, older);

        Checker wrong = checker(answers(paid, "202", refunded, "202", refundedAgain, "202", older, "202"));
        events.forEach(event -> store(wrong, event, home(event)));
        state(wrong, refunded, home(refunded));
        directory(wrong, paid);
        assertThat(wrong.verdict().problem(Findings.STATE_MISMATCHES)).isEqualTo(1);

        Checker right = checker(answers(paid, "202", refunded, "202", refundedAgain, "202", older, "202"));
        events.forEach(event -> store(right, event, home(event)));
        state(right, refundedAgain, home(refundedAgain));
        directory(right, paid);
        assertThat(right.verdict().clean()).isTrue();
    }

    @Test
    void anOrderWithoutItsRowOrItsDirectoryEntryIsAMismatch() throws Exception {
        PlannedEvent paid = order("evt-1", "paid", "2026-03-01T10:05:00Z");
        Checker checker = checker(answers(paid, "202"));
        store(checker, paid, home(paid));

        assertThat(checker.verdict().problem(Findings.STATE_MISMATCHES)).isEqualTo(2);
    }

    @Test
    void aDirectoryEntryBelongsOnTheShardOfTheOrderId() throws Exception {
        PlannedEvent paid = order("evt-1", "paid", "2026-03-01T10:05:00Z");
        Checker checker = checker(answers(paid, "202"));
        store(checker, paid, home(paid));
        state(checker, paid, home(paid));
        checker.directory(elsewhere(ROUTER.shardOf(paid.orderId())), paid.orderId(), paid.userId());

        Verdict verdict = checker.verdict();

        assertThat(verdict.problem(Findings.WRONG_SHARD)).isEqualTo(1);
        assertThat(verdict.problem(Findings.STATE_MISMATCHES)).isEqualTo(1);
    }

    @Test
    void aDisputeIsCheckedOnItsOrderOwnersShard() throws Exception {
        PlannedEvent paid = order("evt-1", "paid", "2026-03-01T10:05:00Z");
        PlannedEvent opened = new PlannedEvent(EventKind.CHARGEBACK, "evt-2", paid.userId(), paid.orderId(), "dsp-1",
                "opened", 100, "EUR", "fraudulent", "2026-03-02T10:00:00Z", "digest-evt-2", 300);
        PlannedEvent won = new PlannedEvent(EventKind.CHARGEBACK, "evt-3", paid.userId(), paid.orderId(), "dsp-1",
                "won", 101, "EUR", "duplicate", "2026-03-02T10:00:00Z", "digest-evt-3", 300);
        Checker checker = checker(answers(paid, "202", opened, "202", won, "202"));
        store(checker, paid, home(paid));
        state(checker, paid, home(paid));
        directory(checker, paid);
        store(checker, opened, home(paid));
        store(checker, won, home(paid));
        state(checker, won, elsewhere(home(paid)));

        Verdict verdict = checker.verdict();

        assertThat(verdict.problem(Findings.WRONG_SHARD)).isEqualTo(1);
        assertThat(verdict.problem(Findings.STATE_MISMATCHES)).as("no row on the owner's shard").isEqualTo(1);
    }

    @Test
    void rowsOfAnEventNeverSentAreUnexpected() throws Exception {
        PlannedEvent paid = order("evt-1", "paid", "2026-03-01T10:05:00Z");
        Checker checker = checker(answers());
        checker.inbox("shard-a", new EventKey(EventKind.ORDER, "poison-x-negative-amount"), null);
        store(checker, paid, home(paid));

        assertThat(checker.verdict().problem(Findings.UNEXPECTED_ROWS)).isEqualTo(2);
    }

    @Test
    void theDeadLetterTopicsHoldExactlyThePoisonRecords() throws Exception {
        Poison.Written garbage = new Poison.Written("undecodable-bytes", "orders.webhooks", 2, 71,
                "undecodable_envelope", "aa", null);
        Poison.Written schema = new Poison.Written("schema-violation", "orders.webhooks", 1, 5, "schema_violation",
                "bb", "poison-negative");
        Poison.Written missing = new Poison.Written("wrong-type", "disputes.webhooks", 0, 9, "wrong_event_type", "cc",
                "poison-wrong");
        History history = history(Map.of());
        Checker checker = new Checker(ROUTER, history, List.of(garbage, schema, missing));
        checker.deadLetter(new Stored.DeadLetter("orders.webhooks", 2, 71, "undecodable_envelope", "aa"));
        checker.deadLetter(new Stored.DeadLetter("orders.webhooks", 2, 71, "undecodable_envelope", "aa"));
        checker.deadLetter(new Stored.DeadLetter("orders.webhooks", 1, 5, "constraint_violation", "bb"));
        checker.deadLetter(new Stored.DeadLetter("orders.webhooks", 3, 7, "conflicting_redelivery", "dd"));

        Verdict verdict = checker.verdict();

        assertThat(verdict.deadLettersExpected()).isEqualTo(3);
        assertThat(verdict.deadLettersFound()).isEqualTo(4);
        assertThat(verdict.problem(Findings.DEAD_LETTERS_DUPLICATED)).isEqualTo(1);
        assertThat(verdict.problem(Findings.DEAD_LETTERS_WRONG_REASON)).isEqualTo(1);
        assertThat(verdict.problem(Findings.DEAD_LETTERS_UNEXPECTED)).isEqualTo(1);
        assertThat(verdict.problem(Findings.DEAD_LETTERS_MISSING)).isEqualTo(1);
    }

    private static PlannedEvent order(String id, String status, String occurredAt) {
        return new PlannedEvent(EventKind.ORDER, id, "usr-1", "ord-1", null, status, 100, "EUR", null, occurredAt,
                "digest-" + id, 300);
    }

    private static String home(PlannedEvent event) {
        return ROUTER.shardOf(event.userId());
    }

    private static String elsewhere(String shard) {
        return Cluster.SHARD_IDS.stream().filter(id -> !id.equals(shard)).findFirst().orElseThrow();
    }

    private static Map<PlannedEvent, List<String>> answers(Object... eventsAndAnswers) {
        Map<PlannedEvent, List<String>> answers = new LinkedHashMap<>();
        for (int i = 0; i < eventsAndAnswers.length; i += 2) {
            answers.computeIfAbsent((PlannedEvent) eventsAndAnswers[i], e -> new java.util.ArrayList<>())
                    .add((String) eventsAndAnswers[i + 1]);
        }
        return answers;
    }

    private Checker checker(Map<PlannedEvent, List<String>> answers) throws Exception {
        return new Checker(ROUTER, history(answers), List.of());
    }

    private History history(Map<PlannedEvent, List<String>> answers) throws Exception {
        try (ClientLog log = new ClientLog(dir)) {
            answers.keySet().forEach(log::event);
            answers.forEach((event, said) -> said.forEach(answer -> log.request(1000, 1001, event,
                    "msg_" + event.providerEventId(), "instance-1", 1, false, answer)));
        }
        return History.read(dir);
    }

    private static void store(Checker checker, PlannedEvent event, String shard) {
        checker.inbox(shard, event.key(), event.inboxDigest());
        checker.event(new Stored.Event(shard, event.kind(), event.providerEventId(), event.userId(), event.orderId(),
                event.disputeId(), event.status(), event.amountMinor(), event.currency(), event.reason(),
                Model.instant(event.occurredAt())));
    }

    private static void state(Checker checker, PlannedEvent newest, String shard) {
        checker.state(new Stored.State(shard, newest.kind(), newest.kind() == EventKind.ORDER ? newest.orderId()
                : newest.disputeId(), newest.userId(), newest.orderId(), newest.status(), newest.amountMinor(),
                newest.currency(), newest.reason(), Model.instant(newest.occurredAt()), newest.providerEventId()));
    }

    private static void directory(Checker checker, PlannedEvent order) {
        checker.directory(ROUTER.shardOf(order.orderId()), order.orderId(), order.userId());
    }
}
