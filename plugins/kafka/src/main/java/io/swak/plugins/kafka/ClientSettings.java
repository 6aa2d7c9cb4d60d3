package io.swak.plugins.kafka;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * What in.Kafka and out.Kafka share: the brokers, SASL and TLS, turned into kafka-clients properties. Secrets go
 * only into properties of the client's password type (sasl.jaas.config, ssl.keystore.key), which the client's
 * own log prints as {@code [hidden]}.
 */
record ClientSettings(List<String> brokers, SaslMechanism saslMechanism, String username, String password,
    boolean tls, Path caFile, Path certFile, Path keyFile, boolean tlsVerifyHostname, String clientId,
    Map<String, String> properties) {

  /** How the client logs in. */
  public enum SaslMechanism {
    NONE("", null),
    PLAIN("PLAIN", "org.apache.kafka.common.security.plain.PlainLoginModule"),
    SCRAM_SHA_256("SCRAM-SHA-256", "org.apache.kafka.common.security.scram.ScramLoginModule"),
    SCRAM_SHA_512("SCRAM-SHA-512", "org.apache.kafka.common.security.scram.ScramLoginModule");

    final String kafkaName;
    final String loginModule;

    SaslMechanism(String kafkaName, String loginModule) {
      this.kafkaName = kafkaName;
      this.loginModule = loginModule;
    }
  }

  /** Checks what the option types cannot; the message names the option. */
  static void check(List<String> brokers, SaslMechanism sasl, String username, String password, boolean tls,
      Path caFile, Path certFile, Path keyFile) {
    if (brokers == null || brokers.isEmpty() || brokers.stream().allMatch(String::isBlank)) {
      throw new IllegalArgumentException("option `brokers` is required: host:port of one or more brokers, "
          + "e.g. [\"kafka1:9092\", \"kafka2:9092\"]");
    }
    for (String b : brokers) {
      for (String one : b.split(",")) {
        String s = one.trim();
        int colon = s.lastIndexOf(':');
        if (!s.isEmpty() && (colon <= 0 || colon == s.length() - 1 || !s.substring(colon + 1).chars()
            .allMatch(Character::isDigit))) {
          throw new IllegalArgumentException("option `brokers`: '" + s + "' is not host:port (e.g. kafka1:9092)");
        }
      }
    }
    boolean login = sasl != null && sasl != SaslMechanism.NONE;
    if (login && (username == null || password == null)) {
      throw new IllegalArgumentException("`sasl_mechanism: " + sasl.name().toLowerCase(Locale.ROOT)
          + "` needs `username` and `password`");
    }
    if (!login && (username != null || password != null)) {
      throw new IllegalArgumentException("`username` and `password` need `sasl_mechanism` (plain, scram_sha_256 "
          + "or scram_sha_512)");
    }
    if ((certFile == null) != (keyFile == null)) {
      throw new IllegalArgumentException("give both `cert_file` and `key_file`, or neither");
    }
    if (!tls && (caFile != null || certFile != null)) {
      throw new IllegalArgumentException("`ca_file`, `cert_file` and `key_file` need `tls: true`");
    }
  }

  /** host:port,host:port as kafka-clients wants them. */
  String bootstrap() {
    return String.join(",", brokers.stream().flatMap(b -> java.util.Arrays.stream(b.split(",")))
        .map(String::trim).filter(s -> !s.isEmpty()).toList());
  }

  /** The common client properties; {@code properties} of the config last, so they can change anything. */
  Properties toProperties() throws IOException {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap());
    if (clientId != null) {
      p.put("client.id", clientId);
    }
    boolean login = saslMechanism != null && saslMechanism != SaslMechanism.NONE;
    p.put("security.protocol", (login ? "SASL_" : "") + (tls ? "SSL" : "PLAINTEXT"));
    if (login) {
      p.put("sasl.mechanism", saslMechanism.kafkaName);
      p.put("sasl.jaas.config", saslMechanism.loginModule + " required username=\"" + jaasEscape(username)
          + "\" password=\"" + jaasEscape(password) + "\";");
    }
    if (tls) {
      if (caFile != null) {
        p.put("ssl.truststore.type", "PEM");
        p.put("ssl.truststore.certificates", read(caFile, "ca_file"));
      }
      if (certFile != null) {
        p.put("ssl.keystore.type", "PEM");
        p.put("ssl.keystore.certificate.chain", read(certFile, "cert_file"));
        p.put("ssl.keystore.key", read(keyFile, "key_file"));
      }
      // "https" checks that the broker's certificate names the host connected to; "" does not
      p.put("ssl.endpoint.identification.algorithm", tlsVerifyHostname ? "https" : "");
    }
    if (properties != null) {
      properties.forEach(p::put);
    }
    return p;
  }

  private static String read(Path file, String option) throws IOException {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII).strip();
    } catch (IOException e) {
      throw new IOException("option `" + option + "`: cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static String jaasEscape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  /** Without the password: a record prints every component. */
  @Override
  public String toString() {
    return "brokers " + bootstrap() + (username != null ? " as " + username : "");
  }
}
