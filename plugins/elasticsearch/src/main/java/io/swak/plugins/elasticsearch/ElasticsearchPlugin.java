package io.swak.plugins.elasticsearch;

import io.swak.api.DataSize;
import io.swak.api.Option;
import io.swak.api.Plugin;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** {@code out.Elasticsearch} (alias {@code out.OpenSearch}): the {@code _bulk} API of Elasticsearch 7–9 and OpenSearch 1–2. */
public final class ElasticsearchPlugin extends Plugin<ElasticsearchPlugin.Options> {

  /** The bulk action of each document. */
  public enum Op { CREATE, INDEX }

  /** What happens to dots in field names. */
  public enum Dedot { NONE, NESTED, UNDERSCORE }

  /** Compression of request bodies. */
  public enum Compress { NONE, GZIP }

  /** A data stream, named {@code type-dataset-namespace} (Elastic's naming scheme). */
  public record DataStream(
      @Option(value = "Kind of data: logs, metrics, traces, …", defaultValue = "logs") String type,
      @Option(value = "What the data is; ${tag} and ${record.FIELD} allowed.", defaultValue = "generic")
      String dataset,
      @Option(value = "Where it comes from (an environment, a team); ${tag} and ${record.FIELD} allowed.",
          defaultValue = "default") String namespace) {

    /** The template of the stream's name. */
    String name() {
      return type + "-" + dataset + "-" + namespace;
    }
  }

  /** Options of out.Elasticsearch. */
  public record Options(
      @Option(value = "Nodes to send to, as URLs (http:// or https://, a path prefix allowed). Requests go round-robin; "
          + "a node that cannot be reached is skipped and tried again later. Default: http://127.0.0.1:9200.",
          aliases = {"host", "url", "urls"}) List<String> hosts,
      @Option(value = "Index of each document: text with ${tag}, record fields ${record.FIELD} (dotted paths into "
          + "nested maps) and strftime codes of the event's time in UTC (%Y %m %d %H %M %S %y %j).",
          defaultValue = "swak-%Y.%m.%d") String index,
      @Option(value = "create (a document with an existing _id is kept: 409, counted as done) or index (replaced).",
          defaultValue = "create", aliases = {"write_operation", "action"}) Op op,
      @Option("Write into the data stream `type-dataset-namespace` instead of `index` (implies op create; the "
          + "stream's index template must exist): {type: logs, dataset: generic, namespace: default}.")
      DataStream dataStream,
      @Option("Record field whose value is the document's _id, so a document sent twice is kept once.") String idKey,
      @Option(value = "Give each document an _id made from the event (a hash of tag, time and record), so a resend "
          + "after a crash does not duplicate it. Needs event times that come with the events (not read times).",
          defaultValue = "false") boolean generateId,
      @Option("Ingest pipeline the documents go through.") String pipeline,
      @Option("Record field whose value is the document's routing.") String routingKey,
      @Option(value = "Keys with dots (a.b): none (as they are), nested ({\"a\": {\"b\": …}}) or underscore (a_b).",
          defaultValue = "none") Dedot dedot,
      @Option(value = "Field that gets the event's time (RFC 3339 with nanoseconds, UTC) unless the record has it; "
          + "empty: none.", defaultValue = "@timestamp") String timeKey,
      @Option("Field that gets the event's tag (unless the record has it).") String tagKey,
      @Option("User of HTTP basic authentication; write ${ENV_VAR} to keep it out of the file.") String user,
      @Option("Password of `user`; write ${ENV_VAR} to keep it out of the file.") String password,
      @Option("API key (the encoded form Elasticsearch and Kibana show, base64 of id:key); write ${ENV_VAR}.")
      String apiKey,
      @Option("CA certificates (PEM) to trust for https:// nodes; default: the JVM's trust store.") Path caFile,
      @Option("Client certificate chain (PEM) for nodes that require one.") Path certFile,
      @Option("Private key (PEM, PKCS#8) of cert_file.") Path keyFile,
      @Option(value = "Check the node's certificate and name. Turn off only to test: it removes TLS's protection.",
          defaultValue = "true", aliases = {"tls_verify_hostname"}) boolean tlsVerify,
      @Option(value = "none or gzip (request bodies; the node decompresses them).", defaultValue = "none")
      Compress compress,
      @Option(value = "Largest body of one bulk request; a larger batch is sent in several.", defaultValue = "5MiB")
      DataSize bulkBytes,
      @Option(value = "Most documents in one bulk request.", defaultValue = "10000") int bulkActions,
      @Option(value = "Time allowed for a bulk request's answer; past it the request is sent again.",
          defaultValue = "60s") Duration requestTimeout,
      @Option(value = "Time allowed to connect to a node.", defaultValue = "10s") Duration connectTimeout,
      @Option(value = "Bulk requests on their way at once. With 1 batches are indexed in order; more overlap them "
          + "(documents are found by their time anyway).", defaultValue = "1") int maxInFlight) {

    public Options {
      // `user: ${ES_USER:-}` left empty means none
      user = user == null || user.isEmpty() ? null : user;
      password = password == null || password.isEmpty() ? null : password;
      apiKey = apiKey == null || apiKey.isEmpty() ? null : apiKey;
      hosts = hosts == null || hosts.isEmpty() ? List.of("http://127.0.0.1:9200") : List.copyOf(hosts);
      for (String h : hosts) {
        checkHost(h);
      }
      if (dataStream != null && op == Op.INDEX) {
        throw new IllegalArgumentException("a data stream accepts only `op: create` (drop `op: index`)");
      }
      if (idKey != null && !idKey.isEmpty() && generateId) {
        throw new IllegalArgumentException("give `id_key` or `generate_id: true`, not both");
      }
      if ((user == null) != (password == null)) {
        throw new IllegalArgumentException("give both `user` and `password`, or neither");
      }
      if (apiKey != null && user != null) {
        throw new IllegalArgumentException("give `api_key` or `user`/`password`, not both");
      }
      if ((certFile == null) != (keyFile == null)) {
        throw new IllegalArgumentException("give both `cert_file` and `key_file`, or neither");
      }
      boolean tls = hosts.stream().anyMatch(h -> h.regionMatches(true, 0, "https:", 0, 6));
      if (!tls && (caFile != null || certFile != null)) {
        throw new IllegalArgumentException("`ca_file`, `cert_file` and `key_file` need an https:// node in `hosts`");
      }
      if (bulkBytes == null || bulkBytes.bytes() < 1024) {
        throw new IllegalArgumentException("option `bulk_bytes` must be at least 1KiB");
      }
      if (bulkActions < 1) {
        throw new IllegalArgumentException("option `bulk_actions` must be at least 1");
      }
      if (maxInFlight < 1 || maxInFlight > 16) {
        throw new IllegalArgumentException("option `max_in_flight` must be 1 to 16");
      }
      if (requestTimeout == null || requestTimeout.isZero() || requestTimeout.isNegative()) {
        throw new IllegalArgumentException("option `request_timeout` must be more than 0");
      }
      if (connectTimeout == null || connectTimeout.isZero() || connectTimeout.isNegative()) {
        throw new IllegalArgumentException("option `connect_timeout` must be more than 0");
      }
      timeKey = timeKey == null ? "" : timeKey;
      if (dataStream != null && !timeKey.equals("@timestamp")) {
        throw new IllegalArgumentException("a data stream needs its documents' time in @timestamp: keep `time_key: "
            + "@timestamp`");
      }
      if (dataStream == null) {
        IndexTemplate.parse(index, "index");
      } else {
        IndexTemplate.parse(dataStream.name(), "data_stream");
      }
    }

    private static void checkHost(String h) {
      URI u;
      try {
        u = URI.create(h.strip());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("`hosts`: '" + h + "' is not a URL: write e.g. http://127.0.0.1:9200");
      }
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https") || u.getHost() == null) {
        throw new IllegalArgumentException("`hosts`: '" + h + "' is not an http:// or https:// URL with a host: "
            + "write e.g. http://127.0.0.1:9200");
      }
      if (u.getUserInfo() != null) {
        throw new IllegalArgumentException("`hosts`: put credentials in `user`/`password` (from ${ENV_VAR}), not in "
            + "the URL");
      }
    }

    /** The template of every document's index (the data stream's name when writing into one). */
    IndexTemplate indexTemplate() {
      return dataStream != null ? IndexTemplate.parse(dataStream.name(), "data_stream") : IndexTemplate.parse(index,
          "index");
    }

    /** The bulk action: create for data streams. */
    Op action() {
      return dataStream != null ? Op.CREATE : op;
    }

    /** Secrets masked: options may end up in a log line. */
    @Override
    public String toString() {
      return "Options[hosts=" + hosts + ", index=" + index + ", op=" + op + ", user=" + user + ", password="
          + (password == null ? null : "***") + ", api_key=" + (apiKey == null ? null : "***") + "]";
    }
  }

  public ElasticsearchPlugin() {
    super("out.Elasticsearch", "Indexes events into Elasticsearch 7–9 or OpenSearch 1–2 with the _bulk API: daily "
        + "indices or data streams, per-item outcomes (only throttled documents are sent again, refused ones go to "
        + "the dead-letter file with the node's reason), ids for deduplication, TLS, gzip.",
        Options.class, ElasticsearchOutput::new, "out.OpenSearch", "out.es");
  }
}
