package io.swak.plugins.elasticsearch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.http.HttpServerTransport;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;
import org.opensearch.transport.TransportService;

/**
 * A real single-node OpenSearch 2.19 cluster inside the test JVM, bound to 127.0.0.1 only
 * (HTTP and transport on ephemeral ports), home and data under a temp dir.
 *
 * <pre>
 * try (OpenSearchNode os = OpenSearchNode.start()) {
 *     String url = os.httpUrl();          // http://127.0.0.1:PORT
 *     os.stop(); ... os.restart();        // same ports, same data (an outage in the middle of a run)
 * }
 * </pre>
 *
 * No modules are loaded (no ingest pipelines, no painless, no reindex, no analysis-common), but
 * bulk, mappings, index/component templates and data streams work. Every index gets 0 replicas
 * (cluster setting), so health turns green.
 */
final class OpenSearchNode implements AutoCloseable {

    /** Node subclass: the only way to hand class-path plugins (Netty4) to a node. */
    private static final class PluginNode extends Node {
        PluginNode(Environment env, Collection<Class<? extends Plugin>> plugins) {
            super(env, plugins, true);
        }
    }

    private final Path home;
    private final boolean deleteHome;
    private final Settings extra;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private volatile Node node;
    private int httpPort;          // 0 until the first start, then kept for restarts
    private int transportPort;

    private OpenSearchNode(Path home, boolean deleteHome, Settings extra) {
        this.home = home;
        this.deleteHome = deleteHome;
        this.extra = extra;
    }

    /** Starts a node in a fresh temp dir that is deleted on {@link #close()}. */
    public static OpenSearchNode start() {
        try {
            return start(Files.createTempDirectory("opensearch-node-"), true, Settings.EMPTY);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts a node with its home and data under {@code home}.
     *
     * @param deleteHome delete {@code home} on {@link #close()}
     * @param extra      node settings that override the defaults
     */
    public static OpenSearchNode start(Path home, boolean deleteHome, Settings extra) {
        OpenSearchNode os = new OpenSearchNode(home, deleteHome, extra);
        try {
            os.startNode();
            // index.number_of_replicas is not allowed as a node setting; this gives every new index 0 replicas
            os.request("PUT", "/_cluster/settings", "{\"persistent\":{\"cluster.default_number_of_replicas\":0}}", 200);
            return os;
        } catch (RuntimeException e) {
            try {
                os.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private synchronized void startNode() {
        if (node != null) {
            throw new IllegalStateException("already running");
        }
        Settings settings = Settings.builder()
                .put("cluster.name", "swak-test")
                .put("node.name", "swak-test-node")
                .put("path.home", home.toString())
                .put("path.data", home.resolve("data").toString())
                .put("path.logs", home.resolve("logs").toString())
                .put("network.host", "127.0.0.1")                   // bind and publish on loopback only
                .put("http.port", String.valueOf(httpPort))          // 0 = ephemeral, read back below
                .put("transport.port", String.valueOf(transportPort))
                .put("http.type", "netty4")
                .put("transport.type", "netty4")
                .put("discovery.type", "single-node")
                .put("cluster.routing.allocation.disk.threshold_enabled", false)
                .put("bootstrap.memory_lock", false)
                .put(extra)
                .build();
        Environment env = InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), null, () -> "swak-test-node");
        Node n = new PluginNode(env, List.of(Netty4Plugin.class));
        try {
            n.start();
            httpPort = n.injector().getInstance(HttpServerTransport.class).boundAddress().publishAddress().getPort();
            transportPort = n.injector().getInstance(TransportService.class).boundAddress().publishAddress().getPort();
            node = n;
            waitForHealth("yellow", Duration.ofSeconds(30));
        } catch (Exception e) {
            node = null;
            try {
                n.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new IllegalStateException("OpenSearch node failed to start", e);
        }
    }

    /** Stops the node but keeps its data and ports for {@link #restart()}. */
    public synchronized void stop() throws IOException {
        Node n = node;
        if (n == null) {
            return;
        }
        node = null;
        n.close();
        try {
            if (!n.awaitClose(30, TimeUnit.SECONDS)) {
                throw new IOException("OpenSearch node did not stop within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts a stopped node again on the same HTTP/transport ports with the same data; waits for yellow. */
    public synchronized OpenSearchNode restart() throws IOException {
        stop();
        startNode();
        return this;
    }

    public boolean isRunning() {
        return node != null;
    }

    /** Base URL, e.g. {@code http://127.0.0.1:40123}, no trailing slash; the same after a restart. */
    public String httpUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    public int httpPort() {
        return httpPort;
    }

    public Path home() {
        return home;
    }

    /** Blocks until cluster health is at least {@code status} ("green" or "yellow"). */
    public void waitForHealth(String status, Duration timeout) {
        String body = request("GET", "/_cluster/health?wait_for_status=" + status + "&timeout="
                + timeout.toMillis() + "ms", null, -1);
        if (!body.contains("\"timed_out\":false")) {
            throw new IllegalStateException("cluster not " + status + ": " + body);
        }
    }

    /** Refreshes all indices (makes indexed docs searchable). */
    public void refresh() {
        request("POST", "/_refresh", null, 200);
    }

    /**
     * Blocking HTTP helper: {@code body} may be null; Content-Type is NDJSON for {@code _bulk}
     * paths, JSON otherwise. Throws when the status is not {@code expectStatus} (-1 accepts any).
     */
    public String request(String method, String path, String body, int expectStatus) {
        HttpResponse<String> rsp = send(method, path, body);
        if (expectStatus >= 0 && rsp.statusCode() != expectStatus) {
            throw new IllegalStateException(method + " " + path + " -> " + rsp.statusCode() + " " + rsp.body());
        }
        return rsp.body();
    }

    public HttpResponse<String> send(String method, String path, String body) {
        String type = path.contains("_bulk") ? "application/x-ndjson" : "application/json";
        HttpRequest req = HttpRequest.newBuilder(URI.create(httpUrl() + path))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", type)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            return http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            stop();
        } finally {
            if (deleteHome) {
                deleteRecursively(home);
            }
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
