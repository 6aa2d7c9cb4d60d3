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
import io.swak.support.Http1Client;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * out.Elasticsearch: each batch becomes one or more {@code _bulk} requests (NDJSON, {@link BulkEncoder}), sent
 * over blocking HTTP/1.1 keep-alive connections ({@link Http1Client}) to the nodes round-robin. The answer is read as it streams in ({@link BulkAnswer}) and each
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
  private Http1Client http;
  /** Threads that send when several batches may be on their way (max_in_flight above 1), else null. */
  private ExecutorService senders;
  /** The request's headers after Host and Content-Length. */
  private String headers;
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
    String name = "swak-es-" + ctx.taskName().replace(' ', '-') + "-";
    javax.net.ssl.SSLContext tls = null;
    if (nodes.all().stream().anyMatch(x -> x.bulk.getScheme().equalsIgnoreCase("https"))) {
      tls = io.swak.support.PemTls.clientContext(!o.tlsVerify(), o.caFile(), o.certFile(), o.keyFile());
      if (!o.tlsVerify()) {
        LOG.warn("{}: tls_verify is off: the node's certificate and name are not checked", ctx.stepName());
      }
    }
    this.http = new Http1Client(tls, o.tlsVerify(), o.connectTimeout(), o.requestTimeout(), ERROR_BODY, name + "timer");
    if (o.maxInFlight() > 1) { // with a window of 1 the runtime's sending thread waits anyway: it sends itself
      AtomicInteger n = new AtomicInteger();
      this.senders = Executors.newFixedThreadPool(o.maxInFlight(), r -> {
        Thread t = new Thread(r, name + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
    }
    StringBuilder h = new StringBuilder("Content-Type: application/x-ndjson\r\n");
    if (o.compress() == Compress.GZIP) {
      h.append("Content-Encoding: gzip\r\n");
    }
    if (o.apiKey() != null) {
      h.append("Authorization: ApiKey ").append(o.apiKey()).append("\r\n");
    } else if (o.user() != null) {
      h.append("Authorization: Basic ").append(Base64.getEncoder().encodeToString((o.user() + ":" + o.password())
          .getBytes(StandardCharsets.UTF_8))).append("\r\n");
    }
    this.headers = h.toString();
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
    if (senders != null) {
      senders.shutdownNow();
    }
    if (http != null) {
      http.close();
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
    Runnable job = () -> {
      Outcome outcome = new Outcome(bulk);
      try {
        for (int[] req : bulk.requests) {
          request(bulk, req, outcome);
        }
        outcome.settle(receipt);
      } catch (RuntimeException e) {
        receipt.failed("could not send the bulk request: " + message(e));
      }
    };
    if (senders == null) {
      job.run();
    } else {
      senders.execute(job);
    }
  }

  /** One bulk request: tried on each node in turn while they cannot be reached; its outcome noted in {@code out}. */
  private void request(BulkEncoder.Bulk bulk, int[] req, Outcome out) {
    byte[] body;
    int off;
    int len;
    if (o.compress() == Compress.GZIP) {
      body = gzip(bulk.body, req[0], req[1] - req[0]);
      off = 0;
      len = body.length;
    } else {
      body = bulk.body;
      off = req[0];
      len = req[1] - req[0];
    }
    String unreachable = null;
    for (Nodes.Node node : nodes.order(System.nanoTime())) {
      long started = System.nanoTime();
      metrics.count("bulk_requests", 1);
      metrics.count("request_bytes", len);
      Http1Client.Answer<BulkAnswer.Result> answer;
      try {
        answer = http.post(node.bulk, headers, body, off, len, status -> status == 200 ? new BulkAnswer() : null);
      } catch (Http1Client.Unreachable e) {
        long wait = nodes.unreachable(node, System.nanoTime());
        metrics.count("nodes_skipped", 1);
        LOG.warn("node {} cannot be reached ({}): skipped for {} s", node, message(e), wait / 1_000_000_000L);
        unreachable = (unreachable == null ? "" : unreachable + "; ") + node + ": " + message(e);
        continue;
      } catch (IOException | RuntimeException e) {
        boolean timeout = e instanceof Http1Client.TimedOut;
        if (!timeout && !(e instanceof Http1Client.BadAnswer)) {
          nodes.unreachable(node, System.nanoTime()); // broken mid-request: let the other nodes take the next ones
          metrics.count("nodes_skipped", 1);
        }
        out.wholeRequestFailed(req, "node " + node + ": " + message(e),
            timeout ? "timeout" : e instanceof Http1Client.BadAnswer ? "answer" : "connection");
        return;
      } finally {
        metrics.count("response_ms", (System.nanoTime() - started) / 1_000_000);
      }
      if (nodes.reached(node)) {
        LOG.info("node {} answers again", node);
      }
      if (answer.status() == 200) {
        out.answered(req, answer.result(), node);
      } else {
        byte[] first = answer.first();
        out.wholeRequestFailed(req, refusal(node, answer.status(), BulkAnswer.errorText(first, first.length)),
            String.valueOf(answer.status()));
      }
      return;
    }
    out.wholeRequestFailed(req, "no node could be reached (" + unreachable + ")", "unreachable");
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

    synchronized void settle(Receipt receipt) {
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
}
