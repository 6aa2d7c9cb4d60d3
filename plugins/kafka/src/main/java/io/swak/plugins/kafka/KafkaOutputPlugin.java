package io.swak.plugins.kafka;

import io.swak.api.DataSize;
import io.swak.api.Option;
import io.swak.api.Plugin;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** {@code out.Kafka}: each event becomes one Kafka message; a batch is delivered when the brokers confirmed all of it. */
public final class KafkaOutputPlugin extends Plugin<KafkaOutputPlugin.Options> {

  /** How many brokers must have a message before it counts as written. */
  public enum Acks { ALL, ONE, NONE }

  /** Compression of the producer's record batches. */
  public enum Compression { NONE, GZIP, LZ4, ZSTD, SNAPPY }

  /** Options of out.Kafka. */
  public record Options(
      @Option(value = "Brokers to bootstrap from, host:port each (a list, or one string with commas).",
          required = true, aliases = {"bootstrap_servers"})
      List<String> brokers,
      @Option(value = "Topic of each message: text with ${tag} and ${record.FIELD} (e.g. logs.${tag}).",
          required = true)
      String topic,
      @Option("Message key: a field name (e.g. user_id, or a.b for a nested one) or a template with ${tag} and "
          + "${record.FIELD}. Messages with the same key go to the same partition, in order. Default: no key (the "
          + "producer's sticky partitioner fills one partition's batch after the other).")
      String key,
      @Option(value = "Value of each message: json (the record as an object), msgpack (the record's map), raw "
          + "(the text of `message_key`; the record as JSON when it has none) or otlp (an OTLP/protobuf "
          + "ExportLogsServiceRequest of the event's one LogRecord, as the OpenTelemetry Collector's Kafka receiver "
          + "reads with encoding otlp_proto; mapped as out.OpenTelemetry maps events).",
          defaultValue = "json")
      RecordEncoder.Format format,
      @Option(value = "Field whose text is the message with `format: raw`; the log body with `format: otlp`.",
          defaultValue = "message")
      String messageKey,
      @Option("Adds the event's time to the record under this name (RFC 3339 with nanoseconds, e.g. "
          + "\"@timestamp\"), with json and msgpack. The message's Kafka timestamp is the event's time in any case.")
      String timeKey,
      @Option("Headers of every message: name to a value, which may use ${tag} and ${record.FIELD}.")
      Map<String, String> headers,
      @Option(value = "none, gzip, lz4, zstd or snappy.", defaultValue = "none")
      Compression compression,
      @Option(value = "all (every in-sync replica has the message; with idempotence: no duplicates from the "
          + "producer's own retries), one (the leader has it) or none (not waited for: at-most-once).",
          defaultValue = "all")
      Acks acks,
      @Option(value = "How long the producer waits to fill a batch before sending it.", defaultValue = "5ms")
      Duration linger,
      @Option(value = "Largest record batch per partition the producer builds (batch.size).", defaultValue = "512KiB")
      DataSize batchBytes,
      @Option(value = "Largest message; a larger one is refused by the client, one above the broker's limit by the "
          + "broker, and both go to the dead-letter file (max.request.size).", defaultValue = "1MiB")
      DataSize messageMaxBytes,
      @Option(value = "Longest a send waits for the topic's partitions to be known or for room in the producer's "
          + "buffer; then the batch is retried by the runtime (max.block.ms). Keeps a stop quick while the brokers "
          + "are down.", defaultValue = "5s")
      Duration sendWait,
      @Option(value = "Batches on their way at once (the runtime also bounds them to 4 MiB). More keeps a distant "
          + "broker busy; each batch's records are alive until the broker confirms them, which on a backlog "
          + "costs garbage collection (4: 0.77x the CPU per line of 16 and 1.19x the rate, one local broker).",
          defaultValue = "4")
      int window,
      @Option(value = "Log in with SASL: none, plain, scram_sha_256 or scram_sha_512.", defaultValue = "none")
      ClientSettings.SaslMechanism saslMechanism,
      @Option("SASL user name.")
      String username,
      @Option("SASL password (never logged).")
      String password,
      @Option(value = "Connect with TLS.", defaultValue = "false")
      boolean tls,
      @Option("CA certificates (PEM) to trust; default: the JVM's trust store.")
      Path caFile,
      @Option("Client certificate chain (PEM) for brokers that require one.")
      Path certFile,
      @Option("Private key (PEM, PKCS#8) of `cert_file`.")
      Path keyFile,
      @Option(value = "Check that a broker's certificate names the host connected to.", defaultValue = "true")
      boolean tlsVerifyHostname,
      @Option("Client id the brokers see (quotas, their logs). Default: swak-<task>.")
      String clientId,
      @Option("More producer settings, by their kafka-clients names (e.g. {delivery.timeout.ms: 300000}); they win "
          + "over the options above.")
      Map<String, String> properties) {

    public Options {
      ClientSettings.check(brokers, saslMechanism, username, password, tls, caFile, certFile, keyFile);
      if (topic == null || topic.isBlank()) {
        throw new IllegalArgumentException("option `topic` is required, e.g. topic: logs or topic: logs.${tag}");
      }
      Template.parse("topic", topic);
      if (key != null) {
        keyTemplate(key);
      }
      headers = headers == null ? Map.of() : Map.copyOf(headers);
      headers.forEach((k, v) -> Template.parse("headers." + k, v));
      if (format == RecordEncoder.Format.OTLP && timeKey != null) {
        throw new IllegalArgumentException("option `time_key` is for json and msgpack: with `format: otlp` the "
            + "event's time is the LogRecord's time_unix_nano");
      }
      if (window < 1 || window > 1024) {
        throw new IllegalArgumentException("option `window` must be 1 to 1024, got " + window);
      }
      if (batchBytes != null && (batchBytes.bytes() < 1 || batchBytes.bytes() > Integer.MAX_VALUE)) {
        throw new IllegalArgumentException("option `batch_bytes` must be 1B to 2GiB");
      }
      if (messageMaxBytes != null && (messageMaxBytes.bytes() < 1 || messageMaxBytes.bytes() > Integer.MAX_VALUE)) {
        throw new IllegalArgumentException("option `message_max_bytes` must be 1B to 2GiB");
      }
      if (messageKey == null || messageKey.isEmpty()) {
        throw new IllegalArgumentException("option `message_key` must not be empty");
      }
      properties = properties == null ? Map.of() : Map.copyOf(properties);
    }

    /** A key option as a template: a bare field name is that field. */
    static Template keyTemplate(String key) {
      return key.contains("${") ? Template.parse("key", key) : Template.field("key", key);
    }

    ClientSettings client(String defaultClientId) {
      return new ClientSettings(brokers, saslMechanism, username, password, tls, caFile, certFile, keyFile,
          tlsVerifyHostname, clientId != null ? clientId : defaultClientId, properties);
    }

    /** Without the password: a record prints every component. */
    @Override
    public String toString() {
      return "out.Kafka " + String.join(",", brokers) + " topic " + topic;
    }
  }

  public KafkaOutputPlugin() {
    super("out.Kafka", "Sends each event as a Kafka message (kafka-clients; acks=all and idempotence by default). A "
        + "batch is acknowledged only when the brokers confirmed every one of its messages; what fails is sent "
        + "again by the runtime, never dropped on a timeout.", Options.class, KafkaOutput::new);
  }
}
