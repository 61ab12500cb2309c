package io.hookshard.devstack;

import java.nio.file.Path;

/**
 * Dev mode's command line: {@code [config.yml] [--shards N]}.
 *
 * @param shards the shards asked for, or null when {@code --shards} was not given
 */
record DevArguments(Path config, Integer shards) {
    static final String USAGE = "usage: java -jar devstack/target/hookshard-devstack.jar [config.yml] [--shards N]";

    static DevArguments parse(String... args) {
        Path config = null;
        Integer shards = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--shards") || arg.startsWith("--shards=")) {
                String value = arg.equals("--shards") ? (i + 1 < args.length ? args[++i] : "") : arg.substring(9);
                try {
                    shards = Integer.parseInt(value.strip());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--shards takes a number of shards (1 to " + DevShards.MAX
                            + "), not '" + value + "'\n" + USAGE);
                }
                if (shards < 1 || shards > DevShards.MAX) {
                    throw new IllegalArgumentException("--shards takes 1 to " + DevShards.MAX + " shards, not "
                            + shards + "\n" + USAGE);
                }
            } else if (arg.startsWith("--") || config != null) {
                throw new IllegalArgumentException("unexpected argument '" + arg + "'\n" + USAGE);
            } else {
                config = Path.of(arg);
            }
        }
        return new DevArguments(config == null ? Path.of("config.yml") : config, shards);
    }
}
