package io.hookshard.chaos;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What a run does: for how long it sends and injects faults, at what rate, from which seed, for how many users, and
 * where it writes. {@code faultGapMin}-{@code faultGapMax} is the time between faults.
 */
record ChaosSettings(Duration duration, long seed, double rate, int users, Path out, Path serviceJar, boolean keepData,
                     Duration faultGapMin, Duration faultGapMax, Duration drainTimeout, Duration settleTimeout) {

    static final String USAGE = """
            usage: java -jar chaos/target/hookshard-chaos.jar [--minutes M | --seconds S] [--seed N] [--rate R]
                   [--users U] [--out DIR] [--service-jar PATH] [--keep-data]
              --minutes, --seconds  how long load and faults go on (default 10 minutes)
              --seed                chooses the workload, the poison records and the faults (default: random, printed)
              --rate                webhooks per second the provider starts (default 1000)
              --users               users the orders belong to (default 50000)
              --out                 where the logs and chaos-report.json go (default chaos-results/<time>)
              --service-jar         the service's runnable jar (default service/target/hookshard.jar)
              --keep-data           keep the broker's and the shards' data even when the run passes""";

    ChaosSettings {
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("the run must last some time, got " + duration);
        }
        if (rate <= 0) {
            throw new IllegalArgumentException("--rate must be positive, got " + rate);
        }
        if (users <= 0) {
            throw new IllegalArgumentException("--users must be positive, got " + users);
        }
    }

    static ChaosSettings parse(String... args) {
        Duration duration = Duration.ofMinutes(10);
        long seed = ThreadLocalRandom.current().nextLong(1, 1_000_000);
        double rate = 1000;
        int users = 50_000;
        Path out = null;
        Path serviceJar = null;
        boolean keepData = false;
        List<String> rest = new ArrayList<>(List.of(args));
        while (!rest.isEmpty()) {
            String flag = rest.remove(0);
            if (flag.equals("--keep-data")) {
                keepData = true;
                continue;
            }
            if (rest.isEmpty()) {
                throw new IllegalArgumentException(flag + " needs a value\n" + USAGE);
            }
            String value = rest.remove(0);
            switch (flag) {
                case "--minutes" -> duration = Duration.ofMillis((long) (Double.parseDouble(value) * 60_000));
                case "--seconds" -> duration = Duration.ofMillis((long) (Double.parseDouble(value) * 1000));
                case "--seed" -> seed = Long.parseLong(value);
                case "--rate" -> rate = Double.parseDouble(value);
                case "--users" -> users = Integer.parseInt(value);
                case "--out" -> out = Path.of(value);
                case "--service-jar" -> serviceJar = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option " + flag + "\n" + USAGE);
            }
        }
        if (out == null) {
            out = Path.of("chaos-results", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        }
        return new ChaosSettings(duration, seed, rate, users, out.toAbsolutePath(),
                serviceJar == null ? findServiceJar() : serviceJar.toAbsolutePath(), keepData, Duration.ofSeconds(10),
                Duration.ofSeconds(20), Duration.ofMinutes(10), Duration.ofMinutes(10));
    }

    /** Beside this module's build output in a checkout (chaos/target/...), else under the working directory. */
    static Path findServiceJar() {
        List<Path> candidates = new ArrayList<>();
        try {
            Path here = Path.of(ChaosSettings.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // chaos/target/hookshard-chaos.jar or chaos/target/classes: three levels up is the checkout.
            Path checkout = here.getParent() == null ? null : here.getParent().getParent();
            if (checkout != null && checkout.getParent() != null) {
                candidates.add(checkout.getParent().resolve("service/target/hookshard.jar"));
            }
        } catch (URISyntaxException | SecurityException e) {
            // no code source: look in the working directory only
        }
        candidates.add(Path.of("service/target/hookshard.jar").toAbsolutePath());
        return candidates.stream().filter(Files::isRegularFile).findFirst().orElseThrow(() ->
                new IllegalArgumentException("no service jar at " + candidates + "; build it (mvn -B package"
                        + " -DskipTests) or name it with --service-jar"));
    }
}
