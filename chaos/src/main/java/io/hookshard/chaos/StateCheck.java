package io.hookshard.chaos;

import io.hookshard.router.ShardRouter;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Orders, disputes and the order directory against the {@link Model}: each order and dispute with applied events
 * has one row, on its owner's shard, holding its newest event; each such order has one directory entry, on the shard
 * of its order id, naming its owner. Rows of anything else are unexpected, except the directory entries of poison
 * orders (an order's owner is claimed before the order is written, and a poison order is never written).
 */
final class StateCheck {
    private final ShardRouter router;
    private final Findings findings;

    StateCheck(ShardRouter router, Findings findings) {
        this.router = router;
        this.findings = findings;
    }

    void check(Collection<PlannedEvent> applied, Map<String, List<Stored.State>> orders,
               Map<String, List<Stored.State>> disputes, Map<String, List<String[]>> directory) {
        Map<String, List<PlannedEvent>> byOrder = new HashMap<>();
        Map<String, List<PlannedEvent>> byDispute = new HashMap<>();
        for (PlannedEvent event : applied) {
            if (event.kind() == EventKind.ORDER) {
                byOrder.computeIfAbsent(event.orderId(), id -> new ArrayList<>()).add(event);
            } else {
                byDispute.computeIfAbsent(dispute(event.disputeId(), event.orderId()), id -> new ArrayList<>())
                        .add(event);
            }
        }
        byOrder.forEach((orderId, events) -> state("order " + orderId, events, orders.get(orderId)));
        byDispute.forEach((dispute, events) -> state(dispute, events, disputes.get(dispute)));
        unexpected("order", orders, byOrder.keySet());
        unexpected("dispute", disputes, byDispute.keySet());
        checkDirectory(byOrder, directory);
    }

    private void state(String what, List<PlannedEvent> events, List<Stored.State> rows) {
        PlannedEvent newest = Model.newest(events);
        String shard = router.shardOf(newest.userId());
        List<Stored.State> found = rows == null ? List.of() : rows;
        List<Stored.State> elsewhere = found.stream().filter(row -> !row.shard().equals(shard)).toList();
        List<Stored.State> home = found.stream().filter(row -> row.shard().equals(shard)).toList();
        if (!elsewhere.isEmpty()) {
            findings.add(Findings.WRONG_SHARD, what + " has rows on " + elsewhere.stream().map(Stored.State::shard)
                    .toList() + "; its shard is " + shard);
        }
        if (home.size() != 1) {
            findings.add(Findings.STATE_MISMATCHES, what + ": " + home.size() + " rows on " + shard + ", expected 1"
                    + " holding " + newest.providerEventId());
            return;
        }
        Stored.State row = home.get(0);
        if (!holds(row, newest)) {
            findings.add(Findings.STATE_MISMATCHES, what + ": row " + row + ", expected the state of " + newest
                    + " (newest of " + events.size() + " applied events)");
        }
    }

    /** A dispute is its dispute id on its order, as the shards key it. */
    static String dispute(String disputeId, String orderId) {
        return "dispute " + disputeId + " of order " + orderId;
    }

    private static boolean holds(Stored.State row, PlannedEvent newest) {
        return row.status().equals(newest.status()) && row.amountMinor() == newest.amountMinor()
                && row.currency().equals(newest.currency()) && row.userId().equals(newest.userId())
                && row.orderId().equals(newest.orderId()) && Objects.equals(row.reason(), newest.reason())
                && row.lastEventAt().equals(Model.instant(newest.occurredAt()))
                && row.lastProviderEventId().equals(newest.providerEventId());
    }

    private void unexpected(String what, Map<String, List<Stored.State>> rows, Set<String> expected) {
        rows.forEach((id, found) -> {
            if (!expected.contains(id)) {
                found.forEach(row -> findings.add(Findings.UNEXPECTED_ROWS, what + " row with no applied event: "
                        + row));
            }
        });
    }

    private void checkDirectory(Map<String, List<PlannedEvent>> byOrder, Map<String, List<String[]>> directory) {
        Set<String> seen = new HashSet<>();
        byOrder.forEach((orderId, events) -> {
            seen.add(orderId);
            String owner = events.get(0).userId();
            String shard = router.shardOf(orderId);
            List<String[]> entries = directory.getOrDefault(orderId, List.of());
            long home = entries.stream().filter(entry -> entry[0].equals(shard)).count();
            boolean rightOwner = entries.stream().allMatch(entry -> entry[1].equals(owner));
            if (entries.size() > home) {
                findings.add(Findings.WRONG_SHARD, "directory entry of order " + orderId + " on "
                        + entries.stream().map(entry -> entry[0]).toList() + "; its shard is " + shard);
            }
            if (home != 1 || !rightOwner) {
                findings.add(Findings.STATE_MISMATCHES, "directory of order " + orderId + ": " + entries.stream()
                        .map(entry -> entry[1] + "@" + entry[0]).toList() + ", expected " + owner + "@" + shard);
            }
        });
        directory.forEach((orderId, entries) -> {
            if (!seen.contains(orderId) && !orderId.startsWith(Poison.PREFIX)) {
                findings.add(Findings.UNEXPECTED_ROWS, "directory entry of order " + orderId
                        + " with no applied event: " + entries.stream().map(entry -> entry[1] + "@" + entry[0])
                        .toList());
            }
        });
    }
}
