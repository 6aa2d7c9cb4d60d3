package io.swak.plugins.kafka;

import io.swak.api.Batch;
import io.swak.api.Output;
import io.swak.api.PermanentFailure;
import io.swak.api.StepContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * out.Kafka: the runtime's sender thread calls {@link #send}, which hands every event of the batch to the
 * producer as one message and returns; the producer's delivery reports (callbacks on its network thread) count
 * the batch down, and the last one settles the batch's receipt: delivered when every message was confirmed,
 * failed (sent again, whole, by the runtime) when any was not, rejected (dead-letter file) when the brokers refuse
 * some for good and took all the others.
 *
 * <p>The producer retries what it has on its own until {@code delivery.timeout.ms}; past that its report is a
 * failure like any other, and the runtime sends the batch again — a timeout never drops anything. An error the
 * producer cannot recover from (its idempotence state is broken, authorization of its producer id failed) marks
 * it broken: the next send closes it and creates a new one.
 */
final class KafkaOutput implements Output {

  private static final Logger LOG = LoggerFactory.getLogger("swak.kafka");

  private final KafkaOutputPlugin.Options o;
  private final Template topic;
  private final Template key;
  private final List<Map.Entry<String, Template>> headers;
  private final boolean headersPerRecord;
  private RecordEncoder encoder;
  private StepContext context;
  private String where;
  private Properties props;
  private TopicLimits limits;
  /** batch.size of the producer in use: kept below every topic's limit (see {@link TopicLimits}). */
  private int producerBatchSize;
  /** Why the producer must be rebuilt with smaller batches; null while they fit. */
  private String resizeReason;
  /** A batch failed since the last send: a topic's limit may have changed. */
  private volatile boolean askLimitsAgain;

  /** Record batch header plus slack for the record's own varints and for a small neighbour in its batch. */
  static final int BATCH_OVERHEAD = 61;
  static final int MARGIN = 96;

  /** The producer in use; replaced on the sender thread only. */
  private volatile KafkaProducer<byte[], byte[]> producer;
  /** Counts producers created, so that a report from a replaced one does not condemn its successor. */
  private final AtomicLong generation = new AtomicLong();
  /** Why the producer of {@link #brokenGeneration} must be replaced; null while it works. */
  private volatile String brokenReason;
  private volatile long brokenGeneration = -1;
  private volatile boolean closing;
  /** {@link RecordEncoder#invalidIds} counted so far; the sender thread's. */
  private long invalidIds;

  KafkaOutput(KafkaOutputPlugin.Options options) {
    this.o = options;
    this.topic = Template.parse("topic", options.topic());
    this.key = options.key() == null ? null : KafkaOutputPlugin.Options.keyTemplate(options.key());
    List<Map.Entry<String, Template>> h = new ArrayList<>();
    options.headers().forEach((k, v) -> h.add(Map.entry(k, Template.parse("headers." + k, v))));
    this.headers = List.copyOf(h);
    this.headersPerRecord = h.stream().anyMatch(e -> e.getValue().usesRecord());
  }

  @Override
  public void start(StepContext ctx) throws Exception {
    this.context = ctx;
    this.where = ctx.taskName() + " " + ctx.stepName();
    this.encoder = new RecordEncoder(o.format(), o.messageKey(), o.timeKey());
    this.props = producerProperties(ctx);
    this.limits = new TopicLimits(o.client("swak-" + ctx.taskName().replace(' ', '-')).toProperties(), o.sendWait(),
        where);
    this.producer = create();
  }

  private Properties producerProperties(StepContext ctx) throws IOException {
    Properties p = new Properties();
    p.put("acks", switch (o.acks()) {
      case ALL -> "all";
      case ONE -> "1";
      case NONE -> "0";
    });
    // idempotence keeps the producer's own retries from writing a message twice or out of order; it needs acks=all
    p.put("enable.idempotence", String.valueOf(o.acks() == KafkaOutputPlugin.Acks.ALL));
    p.put("compression.type", o.compression().name().toLowerCase(java.util.Locale.ROOT));
    p.put("linger.ms", String.valueOf(o.linger().toMillis()));
    // never a batch larger than the largest message the brokers take: the producer splits a batch the broker
    // refuses only down to batch.size, so a larger one would be refused again until it times out
    p.put("batch.size", String.valueOf(Math.min(o.batchBytes().bytes(), o.messageMaxBytes().bytes())));
    p.put("max.request.size", String.valueOf(o.messageMaxBytes().bytes()));
    p.put("max.block.ms", String.valueOf(Math.max(1, o.sendWait().toMillis())));
    // room for the runtime's window (4 MiB of batches, which JSON makes larger) several times over
    p.put("buffer.memory", String.valueOf(Math.max(64L << 20, 4 * o.batchBytes().bytes())));
    p.put("key.serializer", ByteArraySerializer.class.getName());
    p.put("value.serializer", ByteArraySerializer.class.getName());
    Properties common = o.client("swak-" + ctx.taskName().replace(' ', '-')).toProperties();
    p.putAll(common); // the user's `properties` are in there, last
    return p;
  }

  private KafkaProducer<byte[], byte[]> create() {
    generation.incrementAndGet();
    producerBatchSize = Integer.parseInt(props.getProperty("batch.size"));
    try {
      return new KafkaProducer<>(props);
    } catch (org.apache.kafka.common.KafkaException e) {
      throw new IllegalArgumentException("cannot create the Kafka producer: " + KafkaErrors.text(e), e);
    }
  }

  @Override
  public int window() {
    return o.window();
  }

  @Override
  public String atMostOnce() {
    return o.acks() == KafkaOutputPlugin.Acks.NONE ? "with `acks: none` a message counts as delivered once "
        + "written to the socket: the brokers do not confirm it" : null;
  }

  /** Called by a report of the producer of generation {@code gen}: it cannot be used any more. */
  void producerBroken(long gen, String reason) {
    if (!closing && gen == generation.get() && brokenReason == null) {
      brokenGeneration = gen;
      brokenReason = reason;
    }
  }

  /** On the sender thread, before a batch: replaces a broken producer, or one whose batches are too large. */
  private void replaceIfBroken() {
    String why = brokenReason;
    boolean broken = why != null && brokenGeneration == generation.get();
    if (!broken && resizeReason == null) {
      return;
    }
    KafkaProducer<byte[], byte[]> old = producer;
    if (broken) {
      LOG.warn("{}: the Kafka producer cannot recover ({}); closing it and starting a new one", where, why);
    } else {
      LOG.warn("{}: {}; starting a producer with smaller batches", where, resizeReason);
    }
    try {
      old.close(Duration.ZERO); // what it still held fails its reports: those batches are sent again
    } catch (RuntimeException e) {
      LOG.debug("{}: closing the old producer: {}", where, e.toString());
    }
    producer = create();
    brokenReason = null;
    resizeReason = null;
    context.metrics().count("producer_restarts", 1);
  }

  /**
   * The topic's limit, after making sure the producer's batches stay below it; a new, smaller limit of a topic met
   * in the middle of a batch rebuilds the producer before the next one (this batch then fails and is sent again).
   */
  private int limitOf(String topicName, boolean beforeBatch) {
    int limit = limits.limit(topicName);
    if (limit > 0 && limit - MARGIN < producerBatchSize) {
      int size = Math.max(1, limit - MARGIN);
      props.put("batch.size", String.valueOf(size));
      resizeReason = "topic " + topicName + " takes record batches of at most " + limit + " bytes "
          + "(max.message.bytes), less than the producer's batch_bytes of " + producerBatchSize;
      if (beforeBatch) {
        replaceIfBroken();
      }
    }
    return limit;
  }

  @Override
  public void send(Batch batch, Receipt receipt) throws Exception {
    if (askLimitsAgain) {
      askLimitsAgain = false;
      limits.forget();
    }
    String tag = batch.tag();
    byte[] data = batch.data();
    String fixedTopic = topic.perBatch() ? topic.expand(tag, data, 0, 0) : null;
    int fixedLimit = fixedTopic != null ? limitOf(fixedTopic, true) : 0;
    replaceIfBroken();
    KafkaProducer<byte[], byte[]> p = producer;
    BatchReport report = new BatchReport(batch.count(), receipt, generation.get());
    RecordHeaders fixedHeaders = headersPerRecord ? null : headers(tag, data, 0, 0);
    try {
      encoder.encode(batch, (timeNanos, rs, re, value) -> {
        if (report.failure != null) {
          return false; // the batch is sent again whole: the rest need not go now
        }
        if (value == null) {
          report.refuse(encoder.problem()); // the same every time: to the dead-letter file with the batch
          return true;
        }
        String t = fixedTopic != null ? fixedTopic : topic.expand(tag, data, rs, batch.length());
        byte[] k = key == null ? null : key.expandBytes(tag, data, rs, batch.length());
        RecordHeaders h = fixedHeaders != null ? fixedHeaders : headers(tag, data, rs, batch.length());
        int limit = fixedTopic != null ? fixedLimit : limitOf(t, false);
        if (resizeReason != null) {
          report.fail(resizeReason);
          return false;
        }
        if (limit > 0) {
          int size = BATCH_OVERHEAD + value.length + (k == null ? 0 : k.length) + headerBytes(h);
          if (size + MARGIN > limit) {
            report.refuse("the message (about " + size + " bytes with its headers) is larger than topic " + t
                + " takes (max.message.bytes " + limit + ", less " + MARGIN + " bytes of room for the batch)");
            return true;
          }
        }
        p.send(new ProducerRecord<>(t, null, Math.floorDiv(timeNanos, 1_000_000L), k, value, h), report);
        report.sent++; // only once send returned: a send that throws has no report to wait for
        return true;
      });
    } catch (IOException e) {
      if (report.sent == 0) {
        throw new PermanentFailure("the batch cannot be read: " + e.getMessage(), e);
      }
      report.fail("part of the batch cannot be read: " + e.getMessage());
    } catch (RuntimeException e) {
      // the producer refused the send itself: closed, or in an error state it cannot leave
      String why = KafkaErrors.text(e);
      producerBroken(report.generation, why);
      report.fail(why);
    }
    long invalid = encoder.invalidIds();
    if (invalid != invalidIds) {
      context.metrics().count("invalid_ids", invalid - invalidIds);
      invalidIds = invalid;
    }
    report.allSent();
  }

  private static int headerBytes(RecordHeaders h) {
    if (h == null) {
      return 0;
    }
    int n = 0;
    for (Header x : h) {
      n += x.key().length() + (x.value() == null ? 0 : x.value().length) + 10;
    }
    return n;
  }

  private RecordHeaders headers(String tag, byte[] data, int rs, int end) {
    if (headers.isEmpty()) {
      return null;
    }
    List<Header> hs = new ArrayList<>(headers.size());
    for (Map.Entry<String, Template> e : headers) {
      hs.add(new RecordHeader(e.getKey(), e.getValue().expand(tag, data, rs, end).getBytes(StandardCharsets.UTF_8)));
    }
    return new RecordHeaders(hs);
  }

  @Override
  public void close() {
    closing = true;
    if (limits != null) {
      limits.close();
    }
    KafkaProducer<byte[], byte[]> p = producer;
    if (p != null) {
      // the runtime has waited for what was on its way; what is still unconfirmed stays unacknowledged
      p.close(Duration.ofSeconds(2));
    }
  }

  /**
   * The delivery reports of one batch. {@code pending} starts at 0 and each report counts it down, so it stays
   * below 0 while messages are still being handed over; {@link #allSent} then adds the number handed over, and
   * whichever of it and the last report brings it to 0 settles the receipt. The sender thread touches the counter
   * once per batch, not once per message (the producer's network thread, which counts down, owns its cache line).
   */
  private final class BatchReport implements Callback {
    private final int events;
    private final Receipt receipt;
    final long generation;
    private final AtomicInteger pending = new AtomicInteger();
    /** Messages handed to the producer; the sender thread's only. */
    int sent;
    /** First reason the batch must be sent again; set from any thread. */
    volatile String failure;
    private volatile String refusal;
    private final AtomicInteger refused = new AtomicInteger();

    BatchReport(int events, Receipt receipt, long generation) {
      this.events = events;
      this.receipt = receipt;
      this.generation = generation;
    }

    void fail(String why) {
      if (failure == null) {
        failure = why;
      }
    }

    /** A message not handed to the producer: the brokers would refuse it for good. */
    void refuse(String why) {
      if (refused.getAndIncrement() == 0) {
        refusal = why;
      }
    }

    void allSent() {
      if (pending.addAndGet(sent) == 0) {
        settle();
      }
    }

    @Override
    public void onCompletion(RecordMetadata metadata, Exception e) {
      if (e != null) {
        switch (KafkaErrors.kind(e)) {
          case REFUSED -> {
            if (refused.getAndIncrement() == 0) {
              refusal = KafkaErrors.text(e);
            }
          }
          case RETRY -> fail(KafkaErrors.text(e));
          case BROKEN_PRODUCER -> {
            String why = KafkaErrors.text(e);
            producerBroken(generation, why);
            fail(why);
          }
          default -> throw new IllegalStateException();
        }
      }
      if (pending.decrementAndGet() == 0) {
        settle();
      }
    }

    private void settle() {
      String f = failure;
      if (f != null) {
        askLimitsAgain = true;
        receipt.failed("Kafka did not confirm every message of the batch: " + f);
      } else if (refused.get() > 0) {
        context.metrics().count("messages_refused", refused.get());
        receipt.rejected(refused.get() + " of " + events + " messages refused by Kafka for good: " + refusal
            + (refused.get() < events ? "; the other " + (events - refused.get()) + " were delivered (a batch goes "
            + "to the dead-letter file whole)" : ""));
      } else {
        receipt.delivered();
      }
    }
  }
}
