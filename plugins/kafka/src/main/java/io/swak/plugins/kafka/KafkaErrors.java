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
}
