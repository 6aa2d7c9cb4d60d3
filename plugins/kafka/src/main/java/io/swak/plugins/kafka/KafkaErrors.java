package io.swak.plugins.kafka;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;

/** What a failure reported by kafka-clients means for the batch, and the same in words. */
final class KafkaErrors {

  private KafkaErrors() { }

  /** How a message that failed is handled. */
  enum Kind {
    /** The brokers will never take this message (too large, bad topic name, timestamp out of range). */
    REFUSED,
    /** Worth sending again with the same producer (broker down, leader moved, timed out). */
    RETRY,
    /** The producer cannot recover (its idempotence state is broken, it is closed): replace it, then send again. */
    BROKEN_PRODUCER
  }

  static Kind kind(Throwable e) {
    if (e instanceof RecordTooLargeException || e instanceof RecordBatchTooLargeException
        || e instanceof InvalidRecordException || e instanceof InvalidTopicException
        || e instanceof InvalidTimestampException || e instanceof SerializationException) {
      return Kind.REFUSED;
    }
    if (e instanceof RetriableException || e instanceof TopicAuthorizationException) {
      return Kind.RETRY; // a missing ACL on a topic can be granted; the producer itself is fine
    }
    if (e instanceof AuthenticationException) {
      return Kind.BROKEN_PRODUCER;
    }
    return Kind.BROKEN_PRODUCER;
  }

  /** The client's message, in the words it has, without Java class names. */
  static String text(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof org.apache.kafka.common.errors.SslAuthenticationException) {
        return tls(c);
      }
    }
    String m = e.getMessage();
    if (e instanceof RecordTooLargeException) {
      return "the message is larger than the brokers or the client accept (" + m + ")";
    }
    if (e instanceof org.apache.kafka.common.errors.TimeoutException) {
      return "no answer from the brokers in time (" + m + ")";
    }
    if (e instanceof TopicAuthorizationException) {
      return "not allowed to write to the topic (" + m + ")";
    }
    if (e instanceof org.apache.kafka.common.errors.ClusterAuthorizationException) {
      return "the brokers refuse this client's producer id: it lacks permission to write (" + m + ")";
    }
    if (e instanceof AuthenticationException) {
      return "the brokers refused the login (" + m + ")";
    }
    if (m == null || m.isBlank()) {
      Throwable c = e.getCause();
      return c != null && c != e ? text(c) : "the Kafka client failed without saying why";
    }
    return m;
  }

  /**
   * A failed TLS handshake in words: the client's own message is only "SSL handshake failed"; the cause says
   * whether the brokers' certificate was not trusted, did not name the host, or the brokers refused ours.
   */
  private static String tls(Throwable e) {
    String detail = null;
    StringBuilder chain = new StringBuilder();
    for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
      if (c.getMessage() != null) {
        detail = c.getMessage(); // the deepest is the plainest: "unable to find valid certification path", …
        chain.append(c.getMessage()).append('\n');
      }
    }
    String why = chain.toString();
    String hint;
    if (why.contains("PKIX") || why.contains("certification path") || why.contains("Signature does not match")) {
      hint = "the brokers' certificate is not signed by a CA this client trusts (`ca_file`, or the JVM's trust store "
          + "without it)";
    } else if (why.contains("No subject alternative") || why.contains("No name matching")) {
      hint = "the brokers' certificate does not name the host connected to (check the broker addresses, or "
          + "`tls_verify_hostname`)";
    } else if (why.contains("bad_certificate") || why.contains("certificate_required")) {
      hint = "the brokers refused this client's certificate (`cert_file`, `key_file`)";
    } else {
      hint = "the TLS handshake with the brokers failed";
    }
    return hint + (detail == null ? "" : " (" + detail + ")");
  }
}
