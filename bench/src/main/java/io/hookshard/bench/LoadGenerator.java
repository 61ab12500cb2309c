package io.hookshard.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP/1.1 load generator in the manner of wrk: one event-loop thread per core, each driving its share of
 * keep-alive connections without blocking. Closed loop: every connection sends its next request as soon as the last
 * is answered (the maximum throughput). Open loop: requests are due at a fixed rate and each latency runs from the
 * request's intended send time, so a stall delays every request scheduled behind it (no coordinated omission).
 */
final class LoadGenerator {
    /** A load's schedule starts this long after it is handed over: its connections are opened meanwhile. */
    static final java.time.Duration START_DELAY = java.time.Duration.ofMillis(100);
    private static final long MAX_LATENCY_NANOS = 120_000_000_000L;

    /** What one load phase measured; {@code perSecond} holds open-loop latencies by second of intended time. */
    record Result(String name, double seconds, long sent, long ok, long errors, Histogram latency,
                  List<Histogram> perSecond) {
        double okPerSecond() {
            return ok / seconds;
        }
    }

    private final int port;
    private final String secret;
    private final int users;

    /**
     * The generator as a process of its own, so that it never shares a JVM with what it measures. Usage:
     * {@code LoadGenerator <port> <secret> <users> <connections> <rate per second, 0 for a closed loop> <warm-up s>
     * <measured s> <run id>}; prints the result as one line of JSON (see {@link #toJson} and {@link #fromJson}).
     * {@code LoadGenerator serve} reads such argument lists from standard input, one line each, and answers each with
     * its line of JSON: one process for a whole benchmark, whose own JIT compiler has long finished after its first
     * load (see {@link Load}).
     */
    public static void main(String[] args) throws Exception {
        if (args.length == 1 && args[0].equals("serve")) {
            java.io.BufferedReader commands = new java.io.BufferedReader(
                    new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = commands.readLine(); line != null; line = commands.readLine()) {
                if (!line.isBlank()) {
                    System.out.println(toJson(runFromArguments(line.strip().split(" "))));
                    System.out.flush();
                }
            }
            System.exit(0);
        }
        System.out.println(toJson(runFromArguments(args)));
        System.exit(0);
    }

    private static Result runFromArguments(String[] args) throws Exception {
        if (args.length != 8) {
            throw new IllegalArgumentException("expected 8 arguments, got " + Arrays.toString(args));
        }
        LoadGenerator generator = new LoadGenerator(Integer.parseInt(args[0]), args[1], Integer.parseInt(args[2]));
        return generator.run("load", args[7], Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                Double.parseDouble(args[5]), Double.parseDouble(args[6]));
    }

    static String toJson(Result result) throws IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("seconds", result.seconds());
        json.put("sent", result.sent());
        json.put("ok", result.ok());
        json.put("errors", result.errors());
        json.put("latency", encode(result.latency()));
        json.put("per_second", result.perSecond().stream().map(LoadGenerator::encode).toList());
        return new ObjectMapper().writeValueAsString(json);
    }

    static Result fromJson(String name, String text) throws IOException {
        JsonNode json = new ObjectMapper().readTree(text);
        List<Histogram> perSecond = new ArrayList<>();
        json.get("per_second").forEach(histogram -> perSecond.add(decode(histogram.asText())));
        return new Result(name, json.get("seconds").asDouble(), json.get("sent").asLong(), json.get("ok").asLong(),
                json.get("errors").asLong(), decode(json.get("latency").asText()), perSecond);
    }

    private static String encode(Histogram histogram) {
        ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        int length = histogram.encodeIntoCompressedByteBuffer(buffer);
        return Base64.getEncoder().encodeToString(Arrays.copyOf(buffer.array(), length));
    }

    private static Histogram decode(String base64) {
        try {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 0);
        } catch (java.util.zip.DataFormatException e) {
            throw new IllegalArgumentException("not an encoded histogram", e);
        }
    }

    LoadGenerator(int port, String secret, int users) {
        this.port = port;
        this.secret = secret;
        this.users = users;
    }

    Result closedLoop(String name, String run, int connections, double warmupSeconds, double seconds)
            throws Exception {
        return run(name, run, connections, 0, warmupSeconds, seconds);
    }

    Result openLoop(String name, String run, int connections, int rate, double warmupSeconds, double seconds)
            throws Exception {
        return run(name, run, connections, rate, warmupSeconds, seconds);
    }

    private Result run(String name, String run, int connections, int rate, double warmupSeconds, double seconds)
            throws Exception {
        int threads = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), connections));
        long start = System.nanoTime() + START_DELAY.toNanos();
        long measureFrom = start + (long) (warmupSeconds * 1e9);
        long end = measureFrom + (long) (seconds * 1e9);
        Schedule schedule = new Schedule(rate, start, end, measureFrom, seconds);
        List<EventLoop> loops = new ArrayList<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int share = connections / threads + (t < connections % threads ? 1 : 0);
            EventLoop loop = new EventLoop(share, new SignedRequests(secret, run, users, port), schedule);
            loops.add(loop);
            Thread thread = new Thread(loop, "load-" + t);
            thread.start();
            workers.add(thread);
        }
        for (Thread thread : workers) {
            thread.join();
        }
        Histogram all = new Histogram(MAX_LATENCY_NANOS, 3);
        long ok = 0;
        long errors = 0;
        for (EventLoop loop : loops) {
            if (loop.failure != null) {
                throw new IllegalStateException("load loop failed", loop.failure);
            }
            all.add(loop.latency);
            ok += loop.ok;
            errors += loop.errors;
        }
        return new Result(name, seconds, ok + errors, ok, errors, all, schedule.perSecond);
    }

    /** Which request is due when: every request at once (closed loop) or one every 1/rate seconds (open loop). */
    private static final class Schedule {
        final int rate;
        final long start;
        final long end;
        final long measureFrom;
        final long period;
        final AtomicLong next = new AtomicLong();
        final List<Histogram> perSecond = new ArrayList<>();

        Schedule(int rate, long start, long end, long measureFrom, double seconds) {
            this.rate = rate;
            this.start = start;
            this.end = end;
            this.measureFrom = measureFrom;
            this.period = rate > 0 ? 1_000_000_000L / rate : 0;
            if (rate > 0) {
                for (int s = 0; s < Math.ceil(seconds); s++) {
                    perSecond.add(new Histogram(MAX_LATENCY_NANOS, 3));
                }
            }
        }

        /** The intended send time of request {@code i}; in a closed loop, now. */
        long intended(long i, long now) {
            return rate > 0 ? start + i * period : now;
        }

        /** Claims the next request if it is due by {@code now}; -1 if none is. */
        long claim(long now) {
            while (true) {
                long i = next.get();
                long intended = intended(i, now);
                if (intended >= end || intended > now || now >= end && rate == 0) {
                    return -1;
                }
                if (next.compareAndSet(i, i + 1)) {
                    return i;
                }
            }
        }

        void record(long intended, long latency) {
            int second = (int) ((intended - measureFrom) / 1_000_000_000L);
            if (rate > 0 && second >= 0 && second < perSecond.size()) {
                synchronized (perSecond.get(second)) {
                    perSecond.get(second).recordValue(latency);
                }
            }
        }
    }

    private final class EventLoop implements Runnable {
        private final int connections;
        private final SignedRequests requests;
        private final Schedule schedule;
        private final Histogram latency = new Histogram(MAX_LATENCY_NANOS, 3);
        private long ok;
        private long errors;
        private Throwable failure;

        EventLoop(int connections, SignedRequests requests, Schedule schedule) {
            this.connections = connections;
            this.requests = requests;
            this.schedule = schedule;
        }

        @Override
        public void run() {
            try (Selector selector = Selector.open()) {
                List<Connection> idle = new ArrayList<>();
                for (int c = 0; c < connections; c++) {
                    idle.add(new Connection(selector));
                }
                int inFlight = 0;
                while (true) {
                    long now = System.nanoTime();
                    while (!idle.isEmpty()) {
                        long i = schedule.claim(now);
                        if (i < 0) {
                            break;
                        }
                        idle.remove(idle.size() - 1).send(requests.request(i), schedule.intended(i, now));
                        inFlight++;
                    }
                    if (inFlight == 0 && (now >= schedule.end || schedule.rate > 0
                            && schedule.intended(schedule.next.get(), now) >= schedule.end)) {
                        break;
                    }
                    long waitNanos = schedule.rate > 0 && !idle.isEmpty()
                            ? Math.max(0, schedule.intended(schedule.next.get(), now) - System.nanoTime()) : 10_000_000L;
                    if (waitNanos > 0) {
                        selector.select(Math.max(1, waitNanos / 1_000_000));
                    } else {
                        selector.selectNow();
                    }
                    for (SelectionKey key : selector.selectedKeys()) {
                        Connection connection = (Connection) key.attachment();
                        int status = connection.onReady(key);
                        if (status != 0) {
                            inFlight--;
                            long done = System.nanoTime();
                            if (connection.intended >= schedule.measureFrom && connection.intended < schedule.end) {
                                long value = Math.min(done - connection.intended, MAX_LATENCY_NANOS);
                                latency.recordValue(value);
                                schedule.record(connection.intended, value);
                                if (status >= 200 && status < 300) {
                                    ok++;
                                } else {
                                    errors++;
                                }
                            }
                            idle.add(connection.reusable() ? connection : new Connection(selector));
                        }
                    }
                    selector.selectedKeys().clear();
                }
            } catch (Throwable e) {
                failure = e;
            }
        }
    }

    /** One non-blocking keep-alive connection with at most one request in flight. */
    private final class Connection {
        private final SocketChannel channel;
        private final SelectionKey key;
        private final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
        private ByteBuffer out;
        private long intended;
        private boolean closeAfter;

        Connection(Selector selector) throws IOException {
            channel = SocketChannel.open();
            channel.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
            channel.connect(new InetSocketAddress("127.0.0.1", port));
            channel.configureBlocking(false);
            key = channel.register(selector, 0, this);
        }

        void send(byte[] request, long intendedAt) throws IOException {
            intended = intendedAt;
            out = ByteBuffer.wrap(request);
            in.clear();
            channel.write(out);
            key.interestOps(out.hasRemaining() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }

        /** Progress on readiness; returns the status once the whole response is in, else 0. */
        int onReady(SelectionKey ready) throws IOException {
            if (ready.isWritable()) {
                channel.write(out);
                if (!out.hasRemaining()) {
                    key.interestOps(SelectionKey.OP_READ);
                }
                return 0;
            }
            if (channel.read(in) < 0) {
                channel.close();
                closeAfter = true;
                return 599;
            }
            return complete();
        }

        private int complete() {
            byte[] data = in.array();
            int length = in.position();
            int headerEnd = -1;
            for (int i = 3; i < length; i++) {
                if (data[i] == '\n' && data[i - 1] == '\r' && data[i - 2] == '\n' && data[i - 3] == '\r') {
                    headerEnd = i + 1;
                    break;
                }
            }
            if (headerEnd < 0) {
                return 0;
            }
            String head = new String(data, 0, headerEnd, StandardCharsets.ISO_8859_1).toLowerCase(java.util.Locale.ROOT);
            int at = head.indexOf("content-length:");
            int bodyLength = at < 0 ? 0 : Integer.parseInt(head.substring(at + 15, head.indexOf('\r', at)).trim());
            if (length < headerEnd + bodyLength) {
                return 0;
            }
            closeAfter = head.contains("connection: close");
            key.interestOps(0);
            return Integer.parseInt(head.substring(9, 12));
        }

        boolean reusable() {
            if (closeAfter) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // replaced by a new connection
                }
                return false;
            }
            return true;
        }
    }
}
