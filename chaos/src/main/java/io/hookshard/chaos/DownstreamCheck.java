package io.hookshard.chaos;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The downstream events topic as its consumers read it (README, "Delivery": at least once, never a gap, never out of
 * order per order; a consumer skips ids it has seen): after dropping ids seen before, each order's and each dispute's
 * changes chain, the first from no status and every later one from the status the one before it left, and the last
 * leaves the status its row holds on the shards. An order or dispute with a row and no change published is missing;
 * a change of one without a row is unexpected.
 */
final class DownstreamCheck {
    private final Findings findings;

    DownstreamCheck(Findings findings) {
        this.findings = findings;
    }

    /** What the check read: records, and the re-sent copies among them (allowed: at least once). */
    record Read(int records, int copies) {
    }

    Read check(List<Stored.Published> published, Map<String, List<Stored.State>> orders,
               Map<String, List<Stored.State>> disputes) {
        List<Stored.Published> inTopicOrder = new ArrayList<>(published);
        // One key (the order id) is one partition, so the changes of an order and of its disputes are in offset order.
        inTopicOrder.sort(Comparator.comparingInt(Stored.Published::partition)
                .thenComparingLong(Stored.Published::offset));
        Set<String> seen = new HashSet<>();
        Map<String, List<Stored.Published>> chains = new LinkedHashMap<>();
        int copies = 0;
        for (Stored.Published change : inTopicOrder) {
            if (!seen.add(change.id())) {
                copies++;
                continue;
            }
            chains.computeIfAbsent(aggregate(change.orderId(), change.disputeId()), key -> new ArrayList<>())
                    .add(change);
        }
        Map<String, Stored.State> rows = new LinkedHashMap<>();
        orders.forEach((orderId, found) -> found.forEach(row -> rows.put(aggregate(orderId, null), row)));
        disputes.values().forEach(found -> found.forEach(row -> rows.put(aggregate(row.orderId(), row.id()), row)));
        chains.forEach((aggregate, chain) -> checkChain(aggregate, chain, rows.get(aggregate)));
        rows.forEach((aggregate, row) -> {
            if (!chains.containsKey(aggregate)) {
                findings.add(Findings.DOWNSTREAM_MISSING, aggregate + ": stored as " + row.status() + " ("
                        + row.lastProviderEventId() + "), no change of it published");
            }
        });
        return new Read(published.size(), copies);
    }

    private void checkChain(String aggregate, List<Stored.Published> chain, Stored.State row) {
        if (row == null) {
            findings.add(Findings.DOWNSTREAM_UNEXPECTED, aggregate + ": " + chain.size() + " change(s) published,"
                    + " no row stored: " + describe(chain));
            return;
        }
        String status = null;
        for (Stored.Published change : chain) {
            if (!Objects.equals(change.previousStatus(), status)) {
                findings.add(Findings.DOWNSTREAM_OUT_OF_ORDER, aggregate + ": a change from "
                        + change.previousStatus() + " follows one to " + status + ": " + describe(chain));
                return;
            }
            status = change.status();
        }
        Stored.Published last = chain.get(chain.size() - 1);
        if (!last.status().equals(row.status()) || !last.providerEventId().equals(row.lastProviderEventId())) {
            findings.add(Findings.DOWNSTREAM_MISSING, aggregate + ": the last change published is to " + last.status()
                    + " (" + last.providerEventId() + "), the row holds " + row.status() + " ("
                    + row.lastProviderEventId() + "): " + describe(chain));
        }
    }

    private static String aggregate(String orderId, String disputeId) {
        return disputeId == null ? "order " + orderId : StateCheck.dispute(disputeId, orderId);
    }

    private static String describe(List<Stored.Published> chain) {
        return chain.stream().map(change -> change.previousStatus() + "->" + change.status() + " ("
                + change.providerEventId() + " at " + change.partition() + "/" + change.offset() + ")").toList()
                .toString();
    }
}
