package io.hookshard.embedded;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EmbeddedServersIT {
    @TempDir
    Path dir;

    @Test
    void killedPostgresKeepsCommittedRowsAndStartsAgain() throws Exception {
        PostgresBinaries binaries = PostgresBinaries.locate(dir.resolve("cache"));
        try (PostgresServer server = new PostgresServer("crash", binaries, dir.resolve("pg"), Ports.freePort(), false)) {
            server.start();
            try (Connection connection = server.connect(); Statement statement = connection.createStatement()) {
                statement.execute("CREATE TABLE t (id int PRIMARY KEY)");
                statement.execute("INSERT INTO t SELECT generate_series(1, 1000)");
            }

            server.kill();
            assertThat(server.isRunning()).isFalse();
            server.start();

            try (Connection connection = server.connect(); Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery("SELECT count(*) FROM t")) {
                rows.next();
                assertThat(rows.getInt(1)).isEqualTo(1000);
            }
        }
    }

    @Test
    void suspendedPostgresHangsInsteadOfRefusingAndCarriesOnWhenResumed() throws Exception {
        PostgresBinaries binaries = PostgresBinaries.locate(dir.resolve("cache"));
        try (PostgresServer server = new PostgresServer("hang", binaries, dir.resolve("pg"), Ports.freePort(), false)) {
            server.start();
            // The client's socket timeout, not a query timeout: cancelling needs a server that answers.
            try (Connection connection = java.sql.DriverManager.getConnection(server.jdbcUrl() + "?socketTimeout=2",
                    PostgresServer.USER, "");
                 Statement statement = connection.createStatement()) {
                statement.execute("CREATE TABLE t (id int PRIMARY KEY)");
                server.suspend();
                long started = System.nanoTime();
                assertThatThrownBy(() -> statement.execute("INSERT INTO t VALUES (1)"))
                        .as("a hung server answers nothing, so the client's own timeout ends the wait")
                        .isInstanceOf(java.sql.SQLException.class);
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
                server.resume();
            }
            try (Connection connection = server.connect(); Statement statement = connection.createStatement()) {
                statement.execute("INSERT INTO t VALUES (2)");
            }
        }
    }

    @Test
    void refusesAPortThatIsAlreadyTaken() {
        PostgresBinaries binaries = PostgresBinaries.locate(dir.resolve("cache"));
        int port = Ports.freePort();
        try (PostgresServer first = new PostgresServer("first", binaries, dir.resolve("a"), port, false).start();
             PostgresServer second = new PostgresServer("second", binaries, dir.resolve("b"), port, false)) {
            assertThatThrownBy(second::start).hasMessageContaining("port " + port).hasMessageContaining("already taken");
            assertThat(first.isRunning()).isTrue();
        }
    }

    @Test
    void inProcessBrokerAcceptsDurableWrites() throws Exception {
        int[] ports = Ports.freePorts(2);
        try (KafkaBroker broker = new InProcessKafkaBroker(dir.resolve("kafka"), ports[0], ports[1])) {
            broker.start();
            createTopic(broker);
            produce(broker, 0, 100);

            assertThat(consumeAll(broker)).hasSize(100);
        }
    }

    @Test
    void killedChildBrokerKeepsAcknowledgedRecordsAndStartsAgain() throws Exception {
        int[] ports = Ports.freePorts(2);
        int port = ports[0];
        int controllerPort = ports[1];
        try (ChildProcessKafkaBroker broker = new ChildProcessKafkaBroker(dir.resolve("kafka"), port, controllerPort)) {
            broker.start();
            createTopic(broker);
            produce(broker, 0, 500);

            broker.kill();
            assertThat(broker.isRunning()).isFalse();
            broker.start();
            produce(broker, 500, 500);

            assertThat(consumeAll(broker)).hasSize(1000).doesNotHaveDuplicates();
        }
    }

    @Test
    void childServersLeadSessionsOfTheirOwnSoATerminalsSignalsMissThem() throws Exception {
        PostgresBinaries binaries = PostgresBinaries.locate(dir.resolve("cache"));
        int[] ports = Ports.freePorts(3);
        try (PostgresServer postgres = new PostgresServer("session", binaries, dir.resolve("pg"), ports[0], false);
             ChildProcessKafkaBroker broker = new ChildProcessKafkaBroker(dir.resolve("kafka"), ports[1], ports[2])) {
            postgres.start();
            broker.start();

            List<ProcessHandle> servers = ProcessHandle.current().children()
                    .filter(child -> child.info().command().map(c -> c.endsWith("/postgres") || c.endsWith("/java"))
                            .orElse(false))
                    .toList();
            assertThat(servers).as("postgres and the broker's JVM, direct children of this JVM").hasSize(2);
            long ownSession = sessionAndGroup(ProcessHandle.current().pid())[0];
            for (ProcessHandle server : servers) {
                assertThat(sessionAndGroup(server.pid())).as("session and process group of %s", server.info())
                        .containsExactly(server.pid(), server.pid())
                        .doesNotContain(ownSession);
            }
        }
    }

    /** From /proc/<pid>/stat: "pid (comm) state ppid pgrp session ...", comm may hold spaces. */
    private static long[] sessionAndGroup(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new long[] {Long.parseLong(fields[3]), Long.parseLong(fields[2])};
    }

    private static void createTopic(KafkaBroker broker) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("t", 2, (short) 1))).all().get();
        }
    }

    private static void produce(KafkaBroker broker, int from, int count) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
            for (int i = from; i < from + count; i++) {
                producer.send(new ProducerRecord<>("t", "k" + i, "v" + i));
            }
            producer.flush();
        }
    }

    private static List<String> consumeAll(KafkaBroker broker) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "check",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class))) {
            consumer.subscribe(List.of("t"));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            int emptyPolls = 0;
            while (System.nanoTime() < deadline && (values.isEmpty() || emptyPolls < 5)) {
                var records = consumer.poll(Duration.ofMillis(500));
                emptyPolls = records.isEmpty() ? emptyPolls + 1 : 0;
                for (ConsumerRecord<String, String> record : records) {
                    values.add(record.value());
                }
            }
        }
        return values;
    }
}
