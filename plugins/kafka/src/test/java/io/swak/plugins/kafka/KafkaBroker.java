package io.swak.plugins.kafka;

import io.swak.core.testing.Certificates;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.internals.Exit;
import org.awaitility.Awaitility;

/**
 * A real single-node Kafka 4.4 (KRaft, combined broker+controller) inside the test JVM, listening on
 * 127.0.0.1 only: PLAINTEXT (the principal is ANONYMOUS, a super user), SASL_PLAINTEXT (PLAIN and SCRAM-SHA-256;
 * users alice and bob), SSL and SSL with client certificates required (a throwaway CA in {@link #tlsDir()}), with the standard authorizer allowing everything that no ACL names. {@link #stop()} and {@link #start()} stop and restart the whole node on the SAME
 * ports with the SAME log dir, so data, topics, committed offsets and producer ids survive.
 *
 * <pre>
 * try (KafkaBroker kafka = KafkaBroker.launch()) {
 *     kafka.createTopic("logs", 3);
 *     String bootstrap = kafka.bootstrapServers();   // 127.0.0.1:PORT
 *     kafka.stop();  ...  kafka.start();             // same port, same data (or kafka.restart())
 * }
 * </pre>
 */
final class KafkaBroker implements AutoCloseable {

    static {
        // A fatal fault inside the broker calls Exit.halt/exit (ProcessTerminatingFaultHandler), which would kill
        // the test JVM ("forked VM terminated without saying goodbye"). Turn it into an exception instead.
        Exit.setExitProcedure((code, msg) -> {
            throw new IllegalStateException("Kafka called Exit.exit(" + code + "): " + msg);
        });
        Exit.setHaltProcedure((code, msg) -> {
            throw new IllegalStateException("Kafka called Exit.halt(" + code + "): " + msg);
        });
    }

    private static final InetAddress LOOPBACK = ipv4Loopback();   // 127.0.0.1 even if IPv6 is preferred

    private final Path dir;
    private final boolean deleteDir;
    private final int port;
    private final int controllerPort;
    private final int saslPort;
    private final int sslPort;
    private final int mtlsPort;
    private final Properties props;
    private volatile KafkaRaftServer server;

    private KafkaBroker(Path dir, boolean deleteDir, int[] ports, Properties props) {
        this.dir = dir;
        this.deleteDir = deleteDir;
        this.port = ports[0];
        this.controllerPort = ports[1];
        this.saslPort = ports[2];
        this.sslPort = ports[3];
        this.mtlsPort = ports[4];
        this.props = props;
    }

    /** Formats a fresh temp log dir (deleted on {@link #close()}), picks two free ports and starts. */
    public static KafkaBroker launch() {
        KafkaBroker broker;
        try {
            broker = create(Files.createTempDirectory("kafka-broker-"), true, Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            return broker.start();
        } catch (RuntimeException e) {
            try {
                broker.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Creates (does not start) a broker whose data lives in {@code dir}; formats the storage there
     * unless it already holds a formatted one. {@code overrides} are broker properties.
     */
    public static KafkaBroker create(Path dir, boolean deleteDir, Map<String, String> overrides) {
        int[] ports = freePorts(5);
        int port = ports[0];
        int controllerPort = ports[1];
        int saslPort = ports[2];
        int sslPort = ports[3];
        int mtlsPort = ports[4];
        Path logDir = dir.resolve("data");
        Path tls = dir.resolve("tls");
        String serverCert;
        String serverKey;
        String ca;
        try {
            if (!Files.exists(tls.resolve("broker.key"))) {
                Certificates certs = new Certificates(tls);
                certs.issue("broker", "kafka test broker", true);   // names 127.0.0.1 only
                certs.issue("client", "swak client", false);
            }
            serverCert = Files.readString(tls.resolve("broker.crt")).strip();
            serverKey = Files.readString(tls.resolve("broker.key")).strip();
            ca = Files.readString(tls.resolve("ca.pem")).strip();
        } catch (Exception e) {
            throw new IllegalStateException("making the broker's certificates", e);
        }
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort
                + ",SASL_PLAINTEXT://127.0.0.1:" + saslPort + ",SSL://127.0.0.1:" + sslPort
                + ",MTLS://127.0.0.1:" + mtlsPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port + ",SASL_PLAINTEXT://127.0.0.1:" + saslPort
                + ",SSL://127.0.0.1:" + sslPort + ",MTLS://127.0.0.1:" + mtlsPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map",
                "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL,MTLS:SSL");
        // TLS with a certificate of a throwaway CA (tls/ca.pem) naming 127.0.0.1; MTLS also requires a client
        // certificate signed by it (tls/client.crt, tls/client.key)
        for (String listener : List.of("ssl", "mtls")) {
            p.put("listener.name." + listener + ".ssl.keystore.type", "PEM");
            p.put("listener.name." + listener + ".ssl.keystore.certificate.chain", serverCert);
            p.put("listener.name." + listener + ".ssl.keystore.key", serverKey);
        }
        p.put("listener.name.mtls.ssl.client.auth", "required");
        p.put("listener.name.mtls.ssl.truststore.type", "PEM");
        p.put("listener.name.mtls.ssl.truststore.certificates", ca);
        p.put("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256");
        p.put("listener.name.sasl_plaintext.plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required user_alice=\"alice-secret\" "
                        + "user_bob=\"bob-secret\";");
        p.put("listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        p.put("super.users", "User:ANONYMOUS");
        p.put("allow.everyone.if.no.acl.found", "true");
        p.put("log.dirs", logDir.toString());
        p.put("num.partitions", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "3");          // default 50: slow first group join
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "3");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");     // default 3 s before the first rebalance
        p.put("auto.create.topics.enable", "false");        // tests create what they use
        p.put("log.segment.bytes", String.valueOf(16 * 1024 * 1024));
        p.putAll(overrides);
        try {
            Files.createDirectories(logDir);
            Files.writeString(dir.resolve("server.properties"), toText(p));
            if (!Files.exists(logDir.resolve("meta.properties"))) {
                format(dir.resolve("server.properties"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new KafkaBroker(dir, deleteDir, ports, p);
    }

    private static void format(Path config) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc;
        try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            rc = StorageTool.execute(new String[] {
                    "format", "--config", config.toString(), "--cluster-id", Uuid.randomUuid().toString(),
                    "--ignore-formatted"}, ps);
        }
        if (rc != 0) {
            throw new IllegalStateException("kafka-storage format failed (" + rc + "): " + out.toString(StandardCharsets.UTF_8));
        }
    }

    /** Starts (or restarts) the node on the same ports; returns once the broker is unfenced and answers. */
    public synchronized KafkaBroker start() {
        if (server != null) {
            throw new IllegalStateException("already running");
        }
        waitUntilPortFree(port);
        waitUntilPortFree(controllerPort);
        waitUntilPortFree(saslPort);
        waitUntilPortFree(sslPort);
        waitUntilPortFree(mtlsPort);
        KafkaRaftServer s = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        try {
            s.startup();   // returns after the broker caught up with the metadata log and was unfenced
        } catch (RuntimeException e) {
            s.shutdown();
            s.awaitShutdown();
            throw e;
        }
        server = s;
        awaitReady(Duration.ofSeconds(30));
        return this;
    }

    /** Stops the whole node (broker and controller); port and log dir are kept for {@link #start()}. */
    public synchronized void stop() {
        KafkaRaftServer s = server;
        if (s == null) {
            return;
        }
        server = null;
        s.shutdown();
        s.awaitShutdown();
    }

    /** {@link #stop()} then {@link #start()}. */
    public KafkaBroker restart() {
        stop();
        return start();
    }

    public boolean isRunning() {
        return server != null;
    }

    /** {@code 127.0.0.1:PORT}; the same before and after a restart. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** {@code 127.0.0.1:PORT} of the SASL_PLAINTEXT listener. */
    public String saslBootstrapServers() {
        return "127.0.0.1:" + saslPort;
    }

    /** {@code 127.0.0.1:PORT} of the SSL listener (certificate of {@link #tlsDir()}'s CA, for 127.0.0.1). */
    public String sslBootstrapServers() {
        return "127.0.0.1:" + sslPort;
    }

    /** {@code 127.0.0.1:PORT} of the SSL listener that requires a client certificate of the same CA. */
    public String mtlsBootstrapServers() {
        return "127.0.0.1:" + mtlsPort;
    }

    /** ca.pem (the CA of the broker's certificate), client.crt and client.key (a client certificate of that CA). */
    public Path tlsDir() {
        return dir.resolve("tls");
    }

    public int port() {
        return port;
    }

    public Path dir() {
        return dir;
    }

    public Admin admin() {
        return Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000));
    }

    /** Creates a topic (replication factor 1) and waits until every partition has a leader. */
    public void createTopic(String name, int partitions) {
        createTopic(name, partitions, Map.of());
    }

    public void createTopic(String name, int partitions, Map<String, String> configs) {
        try (Admin admin = admin()) {
            try {
                admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)))
                        .all().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
            // just after a start the topic may not be in the broker's metadata yet: UnknownTopicOrPartition
            Awaitility.await("leaders of every partition of " + name).atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(50))
                    .ignoreExceptionsMatching(e -> e instanceof ExecutionException
                            && e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)
                    .until(() -> {
                        var d = admin.describeTopics(List.of(name)).allTopicNames().get(10, TimeUnit.SECONDS).get(name);
                        return d.partitions().size() == partitions
                                && d.partitions().stream().allMatch(pi -> pi.leader() != null);
                    });
            // the metadata names a leader a moment before the leader's log takes produce requests: an idempotent
            // producer whose first request gets NOT_LEADER_OR_FOLLOWER while its second is appended then spins on
            // OUT_OF_ORDER_SEQUENCE_NUMBER until delivery.timeout.ms (KAFKA-15591, fixed in brokers 4.5). The
            // leader answers ListOffsets only once it is one: wait for that
            Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest =
                    new java.util.HashMap<>();
            for (int i = 0; i < partitions; i++) {
                latest.put(new org.apache.kafka.common.TopicPartition(name, i),
                        org.apache.kafka.clients.admin.OffsetSpec.latest());
            }
            Awaitility.await("the leaders of " + name + " take requests").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(20))
                    .ignoreExceptionsInstanceOf(ExecutionException.class)
                    .until(() -> admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).size() == partitions);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("create topic " + name, e);
        }
    }

    private void awaitReady(Duration timeout) {
        try (Admin admin = admin()) {
            Awaitility.await("Kafka ready at " + bootstrapServers()).atMost(timeout).pollInterval(Duration.ofMillis(50))
                    .ignoreExceptionsInstanceOf(ExecutionException.class)
                    .ignoreExceptionsInstanceOf(TimeoutException.class)
                    .until(() -> !admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty());
        }
    }

    @Override
    public void close() throws IOException {
        stop();
        if (deleteDir) {
            deleteRecursively(dir);
        }
    }

    /** Reserves distinct free loopback ports (closed again before use: a tiny race, fine in tests). */
    static int[] freePorts(int n) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket();
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(LOOPBACK, 0));
                sockets.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket s : sockets) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // nothing
                }
            }
        }
    }

    private static void waitUntilPortFree(int port) {
        Awaitility.await("port " + port + " free").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .ignoreExceptionsInstanceOf(IOException.class)
                .until(() -> {
                    try (ServerSocket s = new ServerSocket()) {
                        s.setReuseAddress(true);
                        s.bind(new InetSocketAddress(LOOPBACK, port));
                        return true;
                    }
                });
    }

    private static InetAddress ipv4Loopback() {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static String toText(Properties p) {
        StringBuilder sb = new StringBuilder();
        p.stringPropertyNames().stream().sorted().forEach(k -> sb.append(k).append('=').append(p.getProperty(k)).append('\n'));
        return sb.toString();
    }
}
