package io.swak.plugins.elasticsearch;

import io.swak.api.Batch;
import io.swak.api.BatchBuilder;
import io.swak.api.MsgpackException;
import io.swak.api.Output;
import io.swak.api.PermanentFailure;
import io.swak.api.StepContext;
import io.swak.api.StepMetrics;
import io.swak.plugins.elasticsearch.BulkAnswer.Failure;
import io.swak.plugins.elasticsearch.ElasticsearchPlugin.Compress;
import io.swak.plugins.elasticsearch.ElasticsearchPlugin.Op;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.UnresolvedAddressException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * out.Elasticsearch: each batch becomes one or more {@code _bulk} requests (NDJSON, {@link BulkEncoder}), sent
 * with java.net.http to the nodes round-robin. The answer is read as it streams in ({@link BulkAnswer}) and each
 * item decides its document's fate: done (2xx, or 409 on create: already there), sent again (429, 5xx: a
 * {@link Receipt#partly} part the runtime sends after its backoff) or refused for good (other 4xx: dead-lettered
 * with the node's reason). A request that fails as a whole (no node reachable, 429, 5xx, timeout, 401/403) has all
 * its documents sent again; the runtime owns the retries.
 */
final class ElasticsearchOutput implements Output {

  private static final Logger LOG = LoggerFactory.getLogger("swak.elasticsearch");
  /** Most bytes of a failed request's answer kept for its error message. */
  private static final int ERROR_BODY = 64 * 1024;

  private final ElasticsearchPlugin.Options o;
  private BulkEncoder encoder;
  private Nodes nodes;
  private HttpClient http;
  private ExecutorService httpThreads;
  private String authorization;
  private StepMetrics metrics;
  private volatile long lastAuthLogNanos;

  ElasticsearchOutput(ElasticsearchPlugin.Options options) {
    this.o = options;
  }

  @Override
  public void start(StepContext ctx) throws Exception {
    this.metrics = ctx.metrics();
    this.encoder = new BulkEncoder(o);
    this.nodes = new Nodes(o.hosts(), query());
    AtomicInteger n = new AtomicInteger();
    String name = "swak-es-" + ctx.taskName().replace(' ', '-') + "-";
    this.httpThreads = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, name + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    HttpClient.Builder b = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1) // bulk bodies are large: one request per connection, no h2c upgrade
        .connectTimeout(o.connectTimeout())
        .executor(httpThreads);
    if (nodes.all().stream().anyMatch(x -> x.bulk.getScheme().equalsIgnoreCase("https"))) {
      b.sslContext(io.swak.support.PemTls.clientContext(!o.tlsVerify(), o.caFile(), o.certFile(), o.keyFile()));
      if (!o.tlsVerify()) {
        LOG.warn("{}: tls_verify is off: the node's certificate and name are not checked", ctx.stepName());
      }
    }
    this.http = b.build();
    if (o.apiKey() != null) {
      authorization = "ApiKey " + o.apiKey();
    } else if (o.user() != null) {
      authorization = "Basic " + Base64.getEncoder().encodeToString((o.user() + ":" + o.password())
          .getBytes(StandardCharsets.UTF_8));
    }
    metrics.gauge("nodes_up", nodes::upCount);
  }

  private String query() {
    StringBuilder q = new StringBuilder();
    if (o.pipeline() != null && !o.pipeline().isEmpty()) {
      q.append("?pipeline=").append(java.net.URLEncoder.encode(o.pipeline(), StandardCharsets.UTF_8));
    }
    return q.toString();
  }

  @Override
  public int window() {
    return o.maxInFlight();
  }

  @Override
  public void close() {
    if (httpThreads != null) {
      httpThreads.shutdownNow();
    }
  }

  // ---- sending ------------------------------------------------------------------------------------

  @Override
  public void send(Batch batch, Receipt receipt) throws Exception {
    if (batch.isEmpty()) {
      receipt.delivered();
      return;
    }
    BulkEncoder.Bulk bulk;
    try {
      bulk = encoder.encode(batch, null);
    } catch (MsgpackException e) {
      throw new PermanentFailure("the batch is not valid msgpack (" + e.getMessage() + "): it cannot be indexed", e);
    }
    Outcome outcome = new Outcome(bulk);
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    for (int[] req : bulk.requests) {
      chain = chain.thenCompose(x -> request(bulk, req, outcome));
    }
    chain.whenComplete((x, t) -> {
      try {
        outcome.settle(receipt, t);
      } catch (RuntimeException e) {
        receipt.failed("could not read the node's answer: " + e.getMessage());
      }
    });
  }

  /** One bulk request: tried on each node in turn while they cannot be reached; its outcome noted in {@code out}. */
  private CompletableFuture<Void> request(BulkEncoder.Bulk bulk, int[] req, Outcome out) {
    byte[] body;
    int len;
    boolean gzip = o.compress() == Compress.GZIP;
    if (gzip) {
      body = gzip(bulk.body, req[0], req[1] - req[0]);
      len = body.length;
    } else {
      body = bulk.body;
      len = req[1] - req[0];
    }
    List<Nodes.Node> order = nodes.order(System.nanoTime());
    CompletableFuture<Void> done = new CompletableFuture<>();
    attempt(order, 0, body, gzip ? 0 : req[0], len, gzip, req, out, done, null);
    return done;
  }

  private void attempt(List<Nodes.Node> order, int i, byte[] body, int off, int len, boolean gzip, int[] req,
      Outcome out, CompletableFuture<Void> done, String unreachable) {
    if (i >= order.size()) {
      out.wholeRequestFailed(req, "no node could be reached (" + unreachable + ")", "unreachable");
      done.complete(null);
      return;
    }
    Nodes.Node node = order.get(i);
    HttpRequest.Builder rb = HttpRequest.newBuilder(node.bulk)
        .timeout(o.requestTimeout())
        .header("Content-Type", "application/x-ndjson")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body, off, len));
    if (gzip) {
      rb.header("Content-Encoding", "gzip");
    }
    if (authorization != null) {
      rb.header("Authorization", authorization);
    }
    long started = System.nanoTime();
    metrics.count("bulk_requests", 1);
    metrics.count("request_bytes", len);
    http.sendAsync(rb.build(), info -> info.statusCode() == 200
        ? mapped(new BulkAnswer(), r -> r) : mapped(new FirstBytes(), r -> r))
        .whenComplete((resp, t) -> {
          long now = System.nanoTime();
          metrics.count("response_ms", (now - started) / 1_000_000);
          try {
            if (t != null) {
              Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
              if (cannotConnect(c)) {
                long wait = nodes.unreachable(node, now);
                metrics.count("nodes_skipped", 1);
                LOG.warn("node {} cannot be reached ({}): skipped for {} s", node, message(c), wait / 1_000_000_000L);
                attempt(order, i + 1, body, off, len, gzip, req, out, done,
                    (unreachable == null ? "" : unreachable + "; ") + node + ": " + message(c));
                return;
              }
              Throwable why = c instanceof IOException && c.getCause() instanceof BulkAnswer.NotBulk nb ? nb : c;
              if (!(why instanceof HttpTimeoutException) && !(why instanceof BulkAnswer.NotBulk)) {
                nodes.unreachable(node, now); // broken mid-request: let the other nodes take the next ones
                metrics.count("nodes_skipped", 1);
              }
              out.wholeRequestFailed(req, "node " + node + ": " + (why instanceof HttpTimeoutException
                  ? "no answer within request_timeout " + o.requestTimeout().toSeconds() + " s" : message(why)),
                  why instanceof HttpTimeoutException ? "timeout" : why instanceof BulkAnswer.NotBulk ? "answer"
                  : "connection");
              return;
            }
            if (nodes.reached(node)) {
              LOG.info("node {} answers again", node);
            }
            int status = resp.statusCode();
            Object b = resp.body();
            if (status == 200 && b instanceof BulkAnswer.Result r) {
              out.answered(req, r, node);
            } else {
              byte[] first = b instanceof byte[] bytes ? bytes : new byte[0];
              out.wholeRequestFailed(req, refusal(node, status, BulkAnswer.errorText(first, first.length)),
                  String.valueOf(status));
            }
          } catch (RuntimeException e) {
            out.wholeRequestFailed(req, "node " + node + ": " + message(e), "answer");
          } finally {
            if (!done.isDone() && (t == null || !cannotConnect(unwrap(t)))) {
              done.complete(null);
            }
          }
        });
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }

  /** Nothing reached the node: another one may take the request at once. */
  private static boolean cannotConnect(Throwable c) {
    return c instanceof ConnectException || c instanceof HttpConnectTimeoutException
        || c instanceof UnresolvedAddressException || c.getCause() instanceof UnresolvedAddressException
        || c.getCause() instanceof ConnectException;
  }

  private static String message(Throwable t) {
    String m = t.getMessage();
    if (m == null || m.isBlank()) {
      m = t.getCause() != null && t.getCause().getMessage() != null ? t.getCause().getMessage()
          : t.getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(java.util.Locale.ROOT);
    }
    return m;
  }

  /** A whole request the node did not take, in words a user can act on. */
  private String refusal(Nodes.Node node, int status, String error) {
    if (status == 401 || status == 403) {
      String who = o.apiKey() != null ? "the api_key" : o.user() != null ? "user '" + o.user() + "'"
          : "no credentials (set user/password or api_key)";
      String text = "node " + node + " refused " + who + " (" + status + (status == 401 ? " unauthorized" : " forbidden")
          + "): " + error + "; check the credentials and that they may write to the index";
      long now = System.nanoTime();
      if (now - lastAuthLogNanos > 60_000_000_000L || lastAuthLogNanos == 0) {
        lastAuthLogNanos = now;
        LOG.error(text);
      }
      return text;
    }
    if (status == 413) {
      return "node " + node + " refused a request of this size (413): lower bulk_bytes or raise the node's "
          + "http.max_content_length; " + error;
    }
    return "node " + node + " answered " + status + ": " + error;
  }

  private static <T> HttpResponse.BodySubscriber<Object> mapped(HttpResponse.BodySubscriber<T> s,
      java.util.function.Function<T, Object> f) {
    return HttpResponse.BodySubscribers.mapping(s, f);
  }

  private static byte[] gzip(byte[] b, int off, int len) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(Math.max(256, len / 4));
    try (GZIPOutputStream z = new GZIPOutputStream(bytes, 64 * 1024)) {
      z.write(b, off, len);
    } catch (IOException e) {
      throw new IllegalStateException(e); // in memory: cannot happen
    }
    return bytes.toByteArray();
  }

  // ---- outcome of a batch -------------------------------------------------------------------------

  /** What the requests of one batch said, per document; settles the receipt once all have answered. */
  private final class Outcome {
    private final BulkEncoder.Bulk bulk;
    /** Per entry: null while pending or done, else the failure that sends it again. */
    private final String[] againCause;
    private String againReason;
    private String firstAgainCause;
    /** Refused entries grouped by cause and reason, in entry order within each group. */
    private final Map<String, List<Integer>> refused = new LinkedHashMap<>();
    private final Map<String, String[]> refusedWhy = new LinkedHashMap<>();
    private int againCount;
    private boolean anyDelivered;

    Outcome(BulkEncoder.Bulk bulk) {
      this.bulk = bulk;
      this.againCause = new String[bulk.entries()];
      for (Map.Entry<Integer, String> e : bulk.unfit.entrySet()) {
        refuse(e.getKey(), "not a document", e.getValue());
      }
    }

    private synchronized void refuse(int entry, String cause, String reason) {
      String key = cause + "\u0000" + reason;
      refused.computeIfAbsent(key, k -> new ArrayList<>()).add(entry);
      refusedWhy.putIfAbsent(key, new String[] {cause, reason});
    }

    private synchronized void again(int entry, String cause, String reason) {
      if (againCause[entry] == null) {
        againCount++;
      }
      againCause[entry] = cause;
      if (firstAgainCause == null) {
        firstAgainCause = cause;
        againReason = reason;
      }
    }

    synchronized void wholeRequestFailed(int[] req, String reason, String cause) {
      for (int d = req[2]; d < req[2] + req[3]; d++) {
        again(bulk.docEntry[d], cause, reason);
      }
      metrics.count("requests_failed." + cause, 1);
    }

    synchronized void answered(int[] req, BulkAnswer.Result r, Nodes.Node node) {
      int docs = req[3];
      if (!r.allSucceeded && r.items != docs) {
        wholeRequestFailed(req, "node " + node + " answered " + r.items + " items for " + docs + " documents", "answer");
        return;
      }
      int duplicates = 0;
      int failed = 0;
      for (Failure f : r.failures) {
        int entry = bulk.docEntry[req[2] + f.item()];
        if (f.status() == 409 && o.action() == Op.CREATE) {
          duplicates++; // create of an _id the index has: that document was indexed before
          continue;
        }
        failed++;
        // a block (read-only index, disk over the flood stage) is lifted by an operator: worth waiting for
        if (f.status() == 429 || f.status() >= 500 || f.status() == 408 || "cluster_block_exception".equals(f.type())) {
          again(entry, String.valueOf(f.status()), f.describe());
          metrics.count("items_retried." + f.status(), 1);
        } else {
          refuse(entry, f.status() + (f.type() != null ? " " + f.type() : ""), f.describe());
          metrics.count("items_dead_lettered." + f.status(), 1);
        }
      }
      int indexed = docs - failed - duplicates;
      metrics.count("docs_indexed", indexed);
      if (duplicates > 0) {
        metrics.count("docs_already_indexed", duplicates);
      }
      anyDelivered |= indexed + duplicates > 0;
    }

    synchronized void settle(Receipt receipt, Throwable t) {
      if (t != null) {
        receipt.failed("could not send the bulk request: " + message(unwrap(t)));
        return;
      }
      if (againCount == 0 && refused.isEmpty()) {
        receipt.delivered();
        return;
      }
      if (againCount == bulk.entries() && !anyDelivered) {
        receipt.failed(againReason); // nothing of it arrived: the runtime sends the whole batch again
        return;
      }
      Part again = null;
      if (againCount > 0) {
        List<Integer> entries = new ArrayList<>(againCount);
        for (int e = 0; e < againCause.length; e++) {
          if (againCause[e] != null) {
            entries.add(e);
          }
        }
        String reason = againCount + " of " + bulk.entries() + " documents to send again: " + againReason;
        again = new Part(copy(entries), firstAgainCause, reason);
      }
      List<Part> parts = new ArrayList<>(refused.size());
      for (Map.Entry<String, List<Integer>> e : refused.entrySet()) {
        String[] why = refusedWhy.get(e.getKey());
        parts.add(new Part(copy(e.getValue()), why[0], why[1]));
      }
      receipt.partly(again, parts);
    }

    private Batch copy(List<Integer> entries) {
      BatchBuilder b = new BatchBuilder();
      int[] start = bulk.entryStart;
      byte[] d = bulk.batch.data();
      for (int e : entries) {
        b.addEntries(d, start[e], start[e + 1] - start[e], 1);
      }
      return b.build(bulk.batch.tag(), io.swak.api.Ack.NONE);
    }
  }

  // ---- the answer of a request that failed as a whole ---------------------------------------------

  /** Keeps the first {@link #ERROR_BODY} bytes of an answer, for its error message, and drops the rest. */
  private static final class FirstBytes implements HttpResponse.BodySubscriber<byte[]> {
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();

    @Override
    public CompletionStage<byte[]> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      for (ByteBuffer b : items) {
        int n = Math.min(b.remaining(), ERROR_BODY - kept.size());
        if (n > 0) {
          byte[] a = new byte[n];
          b.get(a);
          kept.write(a, 0, n);
        }
      }
    }

    @Override
    public void onError(Throwable t) {
      result.complete(kept.toByteArray()); // what came is enough for a message
    }

    @Override
    public void onComplete() {
      result.complete(kept.toByteArray());
    }
  }
}
