package io.hookshard.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.HdrHistogram.Histogram;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * wrk (a closed loop in C, its own process) driving pre-signed webhooks: a Lua script holds the requests, signed just
 * before the run (the signatures' timestamps must stay within the service's tolerance), and prints wrk's latency
 * distribution as 1,090 quantiles in JSON when done, rebuilt here into the same histogram type as the rest.
 */
final class Wrk {
    private static final int REQUESTS_PER_SCRIPT = 4000;
    private static final String MARKER = "WRK-RESULT ";

    private final Path executable;
    private final Path directory;

    private Wrk(Path executable, Path directory) {
        this.executable = executable;
        this.directory = directory;
    }

    /** wrk if it is on the PATH (Debian: {@code apt-get install wrk}). */
    static Optional<Wrk> onPath(Path directory) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        return Arrays.stream(path.split(File.pathSeparator)).filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, "wrk")).filter(Files::isExecutable).findFirst()
                .map(wrk -> new Wrk(wrk, directory));
    }

    /** One closed-loop run of {@code seconds} over {@code connections} connections and two threads. */
    LoadGenerator.Result run(String name, int port, String secret, int users, int connections, double seconds)
            throws IOException, InterruptedException {
        Files.createDirectories(directory);
        Path script = directory.resolve("wrk-" + port + ".lua");
        Files.writeString(script, script(new SignedRequests(secret, "k" + System.nanoTime(), users, port)));
        List<String> command = List.of(executable.toString(), "-t2", "-c" + connections,
                "-d" + Math.max(1, Math.round(seconds)) + "s", "--timeout", "5s", "-s", script.toString(),
                "http://127.0.0.1:" + port + "/webhooks/payments/orders");
        Process wrk = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (wrk.waitFor() != 0 || !output.contains(MARKER)) {
            throw new IllegalStateException("wrk failed: " + output);
        }
        String line = output.substring(output.indexOf(MARKER) + MARKER.length()).lines().findFirst().orElseThrow();
        JsonNode json = new ObjectMapper().readTree(line);
        Histogram latency = new Histogram(120_000_000_000L, 3);
        JsonNode buckets = json.get("latency_us");
        for (int i = 0; i + 1 < buckets.size(); i += 2) {
            latency.recordValueWithCount(buckets.get(i).asLong() * 1000, Math.max(1, buckets.get(i + 1).asLong()));
        }
        double measured = json.get("duration_us").asLong() / 1e6;
        long requests = json.get("requests").asLong();
        long failed = json.get("status_errors").asLong();
        long socketErrors = json.get("socket_errors").asLong();
        return new LoadGenerator.Result(name, measured, requests + socketErrors, requests - failed,
                failed + socketErrors, latency, List.of());
    }

    private static String script(SignedRequests signer) {
        StringBuilder lua = new StringBuilder("local requests = {\n");
        for (int i = 0; i < REQUESTS_PER_SCRIPT; i++) {
            lua.append('"').append(escape(new String(signer.request(i), StandardCharsets.ISO_8859_1))).append("\",\n");
        }
        lua.append("""
                }
                local n = #requests
                local threads = 0
                function setup(thread)
                  thread:set("first", threads * 1000)
                  threads = threads + 1
                end
                function init(args)
                  i = first or 0
                end
                function request()
                  i = i % n + 1
                  return requests[i]
                end
                function done(summary, latency, requests)
                  -- wrk's Lua API gives percentiles, not buckets: the distribution as quantiles, every 0.1% up to
                  -- p99 (weight 10) and every 0.01% above (weight 1).
                  local quantiles = {}
                  for k = 1, 990 do
                    quantiles[#quantiles + 1] = latency:percentile((k - 0.5) / 10) .. ",10"
                  end
                  for k = 1, 100 do
                    quantiles[#quantiles + 1] = latency:percentile(99 + (k - 0.5) / 100) .. ",1"
                  end
                  quantiles[#quantiles + 1] = latency.max .. ",0"
                  local e = summary.errors
                  io.write(string.format('%s{"requests":%d,"duration_us":%d,"status_errors":%d,"socket_errors":%d,'
                    .. '"latency_us":[%s]}\\n', "MARKER", summary.requests, summary.duration, e.status,
                    e.connect + e.read + e.write + e.timeout, table.concat(quantiles, ",")))
                end
                """.replace("MARKER", MARKER));
        return lua.toString();
    }

    private static String escape(String request) {
        StringBuilder out = new StringBuilder(request.length() + 64);
        for (char c : request.toCharArray()) {
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\r' -> out.append("\\r");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
