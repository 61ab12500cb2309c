package io.hookshard.devstack;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The ports of dev mode's own servers: the documented defaults (Kafka 9092 and 9093, shard-a 54321, shard-b 54322 and
 * upward), each movable by an environment variable when it clashes with something else on the machine
 * (HOOKSHARD_DEV_SHARD_C_PORT for shard-c, and so on; the service's own ports come from config.yml).
 */
record DevPorts(int kafka, int kafkaController, List<Integer> shards) {
    static final String KAFKA = "HOOKSHARD_DEV_KAFKA_PORT";
    static final String KAFKA_CONTROLLER = "HOOKSHARD_DEV_KAFKA_CONTROLLER_PORT";
    static final String SHARD_A = shardVariable(0);
    static final String SHARD_B = shardVariable(1);
    private static final int FIRST_SHARD_PORT = 54321;

    DevPorts {
        shards = List.copyOf(shards);
    }

    static DevPorts from(Map<String, String> environment, int shardCount) {
        List<Integer> shards = new ArrayList<>();
        for (int i = 0; i < shardCount; i++) {
            shards.add(port(environment, shardVariable(i), FIRST_SHARD_PORT + i));
        }
        return new DevPorts(port(environment, KAFKA, 9092), port(environment, KAFKA_CONTROLLER, 9093), shards);
    }

    /** {@code HOOKSHARD_DEV_SHARD_A_PORT} for the first shard, {@code _B_} for the second, and so on. */
    static String shardVariable(int index) {
        return "HOOKSHARD_DEV_SHARD_" + DevShards.letter(index).toUpperCase(java.util.Locale.ROOT) + "_PORT";
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
