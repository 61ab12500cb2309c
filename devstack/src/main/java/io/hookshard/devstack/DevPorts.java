package io.hookshard.devstack;

import java.util.Map;

/**
 * The ports of dev mode's own servers: the documented defaults, each movable by an environment variable when it
 * clashes with something else on the machine (the service's own ports come from config.yml).
 */
record DevPorts(int kafka, int kafkaController, int shardA, int shardB) {
    static final String KAFKA = "HOOKSHARD_DEV_KAFKA_PORT";
    static final String KAFKA_CONTROLLER = "HOOKSHARD_DEV_KAFKA_CONTROLLER_PORT";
    static final String SHARD_A = "HOOKSHARD_DEV_SHARD_A_PORT";
    static final String SHARD_B = "HOOKSHARD_DEV_SHARD_B_PORT";

    static DevPorts from(Map<String, String> environment) {
        return new DevPorts(port(environment, KAFKA, 9092), port(environment, KAFKA_CONTROLLER, 9093),
                port(environment, SHARD_A, 54321), port(environment, SHARD_B, 54322));
    }

    private static int port(Map<String, String> environment, String variable, int fallback) {
        String value = environment.get(variable);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int port = Integer.parseInt(value.strip());
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException notANumber) {
            // reported below with the variable's name
        }
        throw new IllegalArgumentException(variable + " must be a port number from 1 to 65535, not '" + value + "'");
    }
}
