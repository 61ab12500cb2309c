package io.hookshard.chaos;

import io.hookshard.router.ShardRouter;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The offline check: the client log on one side, the rows of every shard and the dead-letter topics on the other.
 * Rows are fed in as they are read; {@link #verdict()} then holds each provider event to: stored once (one inbox row,
 * one event row) if it was answered 202, at most once otherwise, only on the shard the router names, saying what was
 * sent; every order and dispute in the state the {@link Model} gives its events; the dead-letter topics holding the
 * poison records and nothing else; and, once given the downstream events topic, every change of state published
 * there once and in order ({@link DownstreamCheck}).
 */
final class Checker {
    /** How the rows of one provider event were found. */
    private static final class Tally {
        int inbox;
        int inboxElsewhere;
        int events;
        int eventsElsewhere;
        final List<String> mismatches = new ArrayList<>();
    }

    private final ShardRouter router;
    private final History history;
    private final List<Poison.Written> poison;
    private final Findings findings = new Findings();
    private final Map<EventKey, Tally> tallies = new HashMap<>();
    private final Map<String, List<Stored.State>> orders = new HashMap<>();
    private final Map<String, List<Stored.State>> disputes = new HashMap<>();
    private final Map<String, List<String[]>> directory = new HashMap<>();
    private final List<Stored.DeadLetter> deadLetters = new ArrayList<>();
    private List<Stored.Published> published;
    private DownstreamCheck.Read downstream;

    Checker(ShardRouter router, History history, List<Poison.Written> poison) {
        this.router = router;
        this.history = history;
        this.poison = List.copyOf(poison);
    }

    void inbox(String shard, EventKey key, String digest) {
        PlannedEvent planned = history.events().get(key);
        Tally tally = tallies.computeIfAbsent(key, k -> new Tally());
        if (planned != null && shard.equals(router.shardOf(planned.userId()))) {
            tally.inbox++;
        } else {
            tally.inboxElsewhere++;
        }
        if (planned != null && digest != null && !digest.equals(planned.inboxDigest())) {
            tally.mismatches.add("inbox digest " + digest + " on " + shard + ", sent " + planned.inboxDigest());
        }
    }

    void event(Stored.Event row) {
        EventKey key = new EventKey(row.kind(), row.providerEventId());
        PlannedEvent planned = history.events().get(key);
        Tally tally = tallies.computeIfAbsent(key, k -> new Tally());
        if (planned != null && row.shard().equals(router.shardOf(planned.userId()))) {
            tally.events++;
        } else {
            tally.eventsElsewhere++;
        }
        if (planned != null && !sameContent(planned, row)) {
            tally.mismatches.add("event row on " + row.shard() + " says " + row + ", sent " + planned);
        }
    }

    void state(Stored.State row) {
        if (row.kind() == EventKind.ORDER) {
            orders.computeIfAbsent(row.id(), id -> new ArrayList<>()).add(row);
        } else {
            disputes.computeIfAbsent(StateCheck.dispute(row.id(), row.orderId()), id -> new ArrayList<>()).add(row);
        }
    }

    void directory(String shard, String orderId, String userId) {
        directory.computeIfAbsent(orderId, id -> new ArrayList<>()).add(new String[] {shard, userId});
    }

    void deadLetter(Stored.DeadLetter letter) {
        deadLetters.add(letter);
    }

    /** The downstream events topic, read once every shard's relay had published its outbox; unchecked if never given. */
    void downstream(List<Stored.Published> changes) {
        this.published = List.copyOf(changes);
    }

    /** What the downstream check read, once {@link #verdict()} ran it; null if it did not. */
    DownstreamCheck.Read downstreamRead() {
        return downstream;
    }

    /** An outbox its relay had not published when the check began. */
    void unpublished(String shard, long rows) {
        findings.add(Findings.DOWNSTREAM_UNPUBLISHED, shard + ": " + rows + " outbox row(s) still unpublished");
    }

    Verdict verdict() {
        Map<EventKey, PlannedEvent> applied = new HashMap<>();
        long accepted = 0;
        long unanswered = 0;
        long unansweredStored = 0;
        for (Map.Entry<EventKey, History.Answers> entry : history.answers().entrySet()) {
            EventKey key = entry.getKey();
            PlannedEvent planned = history.events().get(key);
            Tally tally = tallies.getOrDefault(key, new Tally());
            int copies = tally.events + tally.eventsElsewhere;
            int inboxCopies = tally.inbox + tally.inboxElsewhere;
            boolean wasAccepted = entry.getValue().accepted();
            String rows = key + ": " + tally.events + "+" + tally.eventsElsewhere + " event rows, " + tally.inbox + "+"
                    + tally.inboxElsewhere + " inbox rows (on its shard + elsewhere), "
                    + entry.getValue().requests() + " requests, " + (wasAccepted ? "accepted" : "never accepted");
            if (wasAccepted) {
                accepted++;
                if (copies == 0) {
                    findings.add(Findings.LOST, rows);
                }
            } else {
                unanswered++;
                if (copies > 0) {
                    unansweredStored++;
                }
            }
            if (copies > 1 || inboxCopies > 1) {
                findings.add(Findings.DOUBLED, rows);
            }
            if (tally.eventsElsewhere > 0 || tally.inboxElsewhere > 0) {
                findings.add(Findings.WRONG_SHARD, rows + "; its shard is " + router.shardOf(planned.userId()));
            }
            if (copies != inboxCopies) {
                findings.add(Findings.INCOMPLETE, rows);
            }
            tally.mismatches.forEach(mismatch -> findings.add(Findings.EVENT_MISMATCHES, key + ": " + mismatch));
            if (wasAccepted || copies > 0) {
                applied.put(key, planned);
            }
        }
        tallies.forEach((key, tally) -> {
            if (!history.answers().containsKey(key)) {
                findings.add(Findings.UNEXPECTED_ROWS, key + ": stored but never sent (" + tally.events + "+"
                        + tally.eventsElsewhere + " event rows, " + tally.inbox + "+" + tally.inboxElsewhere
                        + " inbox rows)");
            }
        });
        new StateCheck(router, findings).check(applied.values(), orders, disputes, directory);
        new DeadLetterCheck(findings).check(poison, deadLetters);
        if (published != null) {
            downstream = new DownstreamCheck(findings).check(published, orders, disputes);
        }
        return new Verdict(accepted, history.answers().size(), unanswered, unansweredStored, history.requests(),
                history.requestsPerSecond(), history.answerCounts(), poison.size(), deadLetters.size(),
                findings.counts(), findings.examples());
    }

    private static boolean sameContent(PlannedEvent planned, Stored.Event row) {
        return Objects.equals(planned.userId(), row.userId()) && Objects.equals(planned.orderId(), row.orderId())
                && Objects.equals(planned.disputeId(), row.disputeId()) && planned.status().equals(row.status())
                && planned.amountMinor() == row.amountMinor() && planned.currency().equals(row.currency())
                && Objects.equals(planned.reason(), row.reason())
                && Model.instant(planned.occurredAt()).equals(row.occurredAt());
    }
}
