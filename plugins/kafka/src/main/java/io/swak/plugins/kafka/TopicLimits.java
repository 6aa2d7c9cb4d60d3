package io.swak.plugins.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The largest record batch each topic takes (its {@code max.message.bytes}), asked of the brokers and kept for a
 * while. out.Kafka needs it because kafka-clients cannot cope with a refusal on its own: a batch the broker
 * finds too large is split only down to {@code batch.size}, and a batch holding one message above that size plus
 * a small one is split into itself again and again until the delivery timeout — so messages too large for their
 * topic are refused before they reach the producer, and the producer's batches are kept below every topic's
 * limit. Used on the sender thread only.
 */
final class TopicLimits implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger("swak.kafka");
  static final long REFRESH_NANOS = TimeUnit.SECONDS.toNanos(30);
  private static final long UNKNOWN_RETRY_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final Properties clientProps;
  private final Duration wait;
  private final String where;
  private Admin admin;
  private final Map<String, Known> known = new HashMap<>();

  /** A topic's limit (or -1: not known, the brokers did not say) and when it was asked. */
  private record Known(int limit, long askedNanos) { }

  TopicLimits(Properties clientProps, Duration wait, String where) {
    this.clientProps = clientProps;
    this.wait = wait;
    this.where = where;
  }

  /** The topic's largest record batch in bytes, or -1 when the brokers could not say (then only the client's limit applies). */
  int limit(String topic) {
    long now = System.nanoTime();
    Known k = known.get(topic);
    if (k != null && now - k.askedNanos < (k.limit < 0 ? UNKNOWN_RETRY_NANOS : REFRESH_NANOS)) {
      return k.limit;
    }
    int limit = ask(topic);
    if (limit < 0 && k != null && k.limit >= 0) {
      limit = k.limit; // keep the last answer while the brokers are away
    }
    known.put(topic, new Known(limit, now));
    return limit;
  }

  /** The smallest limit known of any topic written to, or -1. */
  int smallest() {
    int s = -1;
    for (Known k : known.values()) {
      if (k.limit >= 0 && (s < 0 || k.limit < s)) {
        s = k.limit;
      }
    }
    return s;
  }

  /** Makes the next lookup of every topic ask the brokers again (after a batch failed: a limit may have changed). */
  void forget() {
    known.replaceAll((t, k) -> new Known(k.limit, System.nanoTime() - REFRESH_NANOS));
  }

  private int ask(String topic) {
    try {
      if (admin == null) {
        Properties p = new Properties();
        p.putAll(clientProps);
        p.put("request.timeout.ms", String.valueOf(Math.max(1, wait.toMillis())));
        p.put("default.api.timeout.ms", String.valueOf(Math.max(1, wait.toMillis())));
        p.put("client.id", clientProps.getProperty("client.id", "swak") + "-limits");
        admin = Admin.create(p);
      }
      ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
      Map<ConfigResource, Config> got = admin.describeConfigs(List.of(r)).all()
          .get(Math.max(1, wait.toMillis()), TimeUnit.MILLISECONDS);
      ConfigEntry e = got.get(r) == null ? null : got.get(r).get("max.message.bytes");
      return e == null || e.value() == null ? -1 : Integer.parseInt(e.value());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    } catch (Exception e) {
      // not allowed to describe the topic, brokers away, topic not there yet: the producer will say what is wrong
      LOG.debug("{}: the largest message topic {} takes is not known: {}", where, topic, e.toString());
      return -1;
    }
  }

  @Override
  public void close() {
    if (admin != null) {
      admin.close(Duration.ofSeconds(1));
      admin = null;
    }
  }
}
