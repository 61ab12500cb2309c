package io.hookshard.chaos;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class DownstreamCheckTest {
    private final Findings findings = new Findings();
    private final Map<String, List<Stored.State>> orders = new HashMap<>();
    private final Map<String, List<Stored.State>> disputes = new HashMap<>();
    private final List<Stored.Published> topic = new ArrayList<>();

    @Test
    void eachChangeOnceAndInOrderPassesWhateverWasSentAgain() {
        order("o-1", "paid", "evt-2");
        dispute("dp-1", "o-1", "won", "cb-2");
        publish("o-1", null, null, "authorized", "evt-1");
        publish("o-1", "dp-1", null, "opened", "cb-1");
        publish("o-1", null, "authorized", "paid", "evt-2");
        publish("o-1", null, "authorized", "paid", "evt-2");
        publish("o-1", "dp-1", "opened", "won", "cb-2");

        DownstreamCheck.Read read = check();

        assertThat(findings.total()).as(findings.examples().toString()).isZero();
        assertThat(read).isEqualTo(new DownstreamCheck.Read(5, 1));
    }

    @Test
    void aChangeBeforeTheOneItFollowsIsOutOfOrder() {
        order("o-1", "paid", "evt-2");
        publish("o-1", null, "authorized", "paid", "evt-2");
        publish("o-1", null, null, "authorized", "evt-1");

        check();

        assertThat(findings.count(Findings.DOWNSTREAM_OUT_OF_ORDER)).isEqualTo(1);
        assertThat(findings.examples().get(Findings.DOWNSTREAM_OUT_OF_ORDER).get(0)).startsWith("order o-1:");
    }

    @Test
    void aStoredStateWhoseChangeWasNeverPublishedIsMissing() {
        order("o-1", "paid", "evt-2");
        order("o-2", "authorized", "evt-3");
        publish("o-1", null, null, "authorized", "evt-1");

        check();

        assertThat(findings.count(Findings.DOWNSTREAM_MISSING)).isEqualTo(2);
        assertThat(findings.examples().get(Findings.DOWNSTREAM_MISSING)).anySatisfy(example ->
                assertThat(example).startsWith("order o-1: the last change published is to authorized"))
                .anySatisfy(example -> assertThat(example).startsWith("order o-2: stored as authorized"));
    }

    @Test
    void aChangeOfNothingStoredIsUnexpected() {
        publish("o-9", null, null, "paid", "evt-9");

        check();

        assertThat(findings.count(Findings.DOWNSTREAM_UNEXPECTED)).isEqualTo(1);
    }

    private DownstreamCheck.Read check() {
        return new DownstreamCheck(findings).check(topic, orders, disputes);
    }

    private void order(String orderId, String status, String lastProviderEventId) {
        orders.computeIfAbsent(orderId, id -> new ArrayList<>()).add(new Stored.State("shard-a", EventKind.ORDER,
                orderId, "u-1", orderId, status, 100, "EUR", null, Instant.EPOCH, lastProviderEventId));
    }

    private void dispute(String disputeId, String orderId, String status, String lastProviderEventId) {
        disputes.computeIfAbsent(disputeId, id -> new ArrayList<>()).add(new Stored.State("shard-a",
                EventKind.CHARGEBACK, disputeId, "u-1", orderId, status, 100, "EUR", "fraudulent", Instant.EPOCH,
                lastProviderEventId));
    }

    /** The next record of the order's partition; the same change sent again has the same id. */
    private void publish(String orderId, String disputeId, String from, String to, String providerEventId) {
        String id = orderId + "/" + disputeId + "/" + to + "/" + providerEventId;
        topic.add(new Stored.Published(0, topic.size(), id, orderId, disputeId, to, from, providerEventId));
    }
}
