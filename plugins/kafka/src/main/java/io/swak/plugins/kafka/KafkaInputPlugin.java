package io.swak.plugins.kafka;

import io.swak.api.Option;
import io.swak.api.Plugin;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** {@code in.Kafka}: a consumer group member; offsets are committed only over acknowledged messages. */
public final class KafkaInputPlugin extends Plugin<KafkaInputPlugin.Options> {

  /** Where a partition starts. */
  public enum StartFrom { COMMITTED, EARLIEST, LATEST }

  /** How a message's value becomes a record. */
  public enum Format { JSON, MSGPACK, RAW, OTLP }

  /** Options of in.Kafka. */
  public record Options(
      @Option(value = "Brokers to bootstrap from, host:port each (a list, or one string with commas).",
          required = true, aliases = {"bootstrap_servers"})
      List<String> brokers,
      @Option("Topics to read (a list, or one name).")
      List<String> topics,
      @Option("Read every topic whose whole name matches this regular expression (instead of `topics`); topics "
          + "created later are picked up.")
      Pattern topicPattern,
      @Option(value = "Consumer group: the members of a group share the partitions, and the group's committed "
          + "offsets say where each partition resumes.", defaultValue = "swak", aliases = {"group_id"})
      String group,
      @Option(value = "Where a partition starts: committed (the group's committed offset; the earliest message "
          + "where the group has none), earliest or latest (the first time this agent is given a partition after "
          + "it starts, whatever the group committed: a replay, or only what is new).", defaultValue = "committed")
      StartFrom startFrom,
      @Option(value = "json (an object becomes the record; anything else the `message` of one), msgpack (a map "
          + "becomes the record), raw (the value's text is the `message`) or otlp (an OTLP/protobuf "
          + "ExportLogsServiceRequest, as the OpenTelemetry Collector's Kafka exporter writes with encoding "
          + "otlp_proto: each LogRecord becomes an event, mapped as in.OpenTelemetry maps them).",
          defaultValue = "json")
      Format format,
      @Option(value = "Field of the record that holds the value when it is not a record of its own (raw, or a "
          + "value that does not parse); the log body with otlp.", defaultValue = "message")
      String messageKey,
      @Option("Adds a map of where the message came from under this field: topic, partition, offset, key, "
          + "timestamp (ms) and headers.")
      String metadataKey,
      @Option("Tag of the events. Default: kafka.<topic> (each topic's events keep their topic in the tag).")
      String tag,
      @Option(value = "How often acknowledged offsets are committed (and at every rebalance and stop).",
          defaultValue = "1s")
      Duration commitInterval,
      @Option(value = "Most messages a poll returns (max.poll.records).", defaultValue = "2000")
      int maxPollRecords,
      @Option(value = "How often the brokers are asked which topics and partitions there are (metadata.max.age.ms): "
          + "a topic created later that matches `topic_pattern`, or a partition added, is read within this time.",
          defaultValue = "30s")
      Duration refreshInterval,
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
      @Option("Client id the brokers see. Default: swak-<task>.")
      String clientId,
      @Option("More consumer settings, by their kafka-clients names (e.g. {session.timeout.ms: 10000}); they win "
          + "over the options above.")
      Map<String, String> properties) {

    public Options {
      ClientSettings.check(brokers, saslMechanism, username, password, tls, caFile, certFile, keyFile);
      topics = topics == null ? List.of() : topics.stream().flatMap(t -> java.util.Arrays.stream(t.split(",")))
          .map(String::trim).filter(t -> !t.isEmpty()).toList();
      if (topics.isEmpty() == (topicPattern == null)) {
        throw new IllegalArgumentException("give `topics` (a list of names) or `topic_pattern` (a regular "
            + "expression), one of the two");
      }
      if (group == null || group.isBlank()) {
        throw new IllegalArgumentException("option `group` must not be empty");
      }
      if (maxPollRecords < 1) {
        throw new IllegalArgumentException("option `max_poll_records` must be at least 1");
      }
      if (refreshInterval.isNegative() || refreshInterval.isZero()) {
        throw new IllegalArgumentException("option `refresh_interval` must be more than 0");
      }
      if (commitInterval.isNegative()) {
        throw new IllegalArgumentException("option `commit_interval` must not be negative");
      }
      if (messageKey == null || messageKey.isEmpty()) {
        throw new IllegalArgumentException("option `message_key` must not be empty");
      }
      properties = properties == null ? Map.of() : Map.copyOf(properties);
    }

    ClientSettings client(String defaultClientId) {
      return new ClientSettings(brokers, saslMechanism, username, password, tls, caFile, certFile, keyFile,
          tlsVerifyHostname, clientId != null ? clientId : defaultClientId, properties);
    }

    /** Without the password: a record prints every component. */
    @Override
    public String toString() {
      return "in.Kafka " + String.join(",", brokers) + " group " + group;
    }
  }

  public KafkaInputPlugin() {
    super("in.Kafka", "Reads Kafka topics as a member of a consumer group. Each partition's offset is committed "
        + "only up to the messages acknowledged without a gap, so a crash or a rebalance repeats at most what was "
        + "in flight and never skips anything.", Options.class, KafkaInput::new);
  }
}
