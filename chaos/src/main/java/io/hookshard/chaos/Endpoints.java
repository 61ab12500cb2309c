package io.hookshard.chaos;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The instances a load balancer would send to: an instance is added once it answers and removed before a graceful
 * stop, but a crash is seen only when a request to it fails, as in front of real servers.
 */
final class Endpoints {
    /** One instance's application port. */
    record Endpoint(String name, URI base) {
    }

    private final Map<String, Endpoint> live = new ConcurrentSkipListMap<>();
    private final AtomicLong next = new AtomicLong();

    void add(String name, URI base) {
        live.put(name, new Endpoint(name, base));
    }

    void remove(String name) {
        live.remove(name);
    }

    /** The next instance in round robin, or null while none is in service. */
    Endpoint next() {
        List<Endpoint> endpoints = List.copyOf(live.values());
        if (endpoints.isEmpty()) {
            return null;
        }
        return endpoints.get((int) Math.floorMod(next.getAndIncrement(), (long) endpoints.size()));
    }
}
