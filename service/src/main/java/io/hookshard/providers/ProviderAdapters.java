package io.hookshard.providers;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;

/** The providers Hookshard has an adapter for, by name: adding one is its class and its line here. */
public final class ProviderAdapters {
    private static final SortedMap<String, Function<ProviderSettings, ProviderAdapter>> ADAPTERS =
            Collections.unmodifiableSortedMap(new TreeMap<>(Map.of(
                    StripeAdapter.NAME, StripeAdapter::new,
                    AdyenAdapter.NAME, AdyenAdapter::new,
                    CheckoutAdapter.NAME, CheckoutAdapter::new)));

    private ProviderAdapters() {
    }

    public static Set<String> names() {
        return ADAPTERS.keySet();
    }

    /** Every adapter, each with its settings; a provider without a secret is there, and refuses everything. */
    public static List<ProviderAdapter> build(Function<String, ProviderSettings> settings) {
        return ADAPTERS.entrySet().stream().map(entry -> entry.getValue().apply(settings.apply(entry.getKey())))
                .toList();
    }
}
