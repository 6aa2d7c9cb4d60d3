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

  /** The producer in use; replaced on the sender thread only. */
  private volatile KafkaProducer<byte[], byte[]> producer;
  /** Counts producers created, so that a report from a replaced one does not condemn its successor. */
  private final AtomicLong generation = new AtomicLong();
  /** Why the producer of {@link #brokenGeneration} must be replaced; null while it works. */
  private volatile String brokenReason;
  private volatile long brokenGeneration = -1;
  private volatile boolean closing;

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
    p.put("batch.size", String.valueOf(o.batchBytes().bytes()));
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

  /** On the sender thread, before a batch: replaces a broken producer. */
  private void replaceIfBroken() {
    String why = brokenReason;
    if (why == null || brokenGeneration != generation.get()) {
      return;
    }
    KafkaProducer<byte[], byte[]> old = producer;
    LOG.warn("{}: the Kafka producer cannot recover ({}); closing it and starting a new one", where, why);
    try {
      old.close(Duration.ZERO); // what it still held fails its reports: those batches are sent again
    } catch (RuntimeException e) {
      LOG.debug("{}: closing the broken producer: {}", where, e.toString());
    }
    producer = create();
    brokenReason = null;
    context.metrics().count("producer_restarts", 1);
  }

  @Override
  public void send(Batch batch, Receipt receipt) throws Exception {
    replaceIfBroken();
    KafkaProducer<byte[], byte[]> p = producer;
    BatchReport report = new BatchReport(batch.count(), receipt, generation.get());
    String tag = batch.tag();
    byte[] data = batch.data();
    String fixedTopic = topic.perBatch() ? topic.expand(tag, data, 0, 0) : null;
    RecordHeaders fixedHeaders = headersPerRecord ? null : headers(tag, data, 0, 0);
    try {
      encoder.encode(batch, (timeNanos, rs, re, value) -> {
        if (report.failure != null) {
          return false; // the batch is sent again whole: the rest need not go now
        }
        String t = fixedTopic != null ? fixedTopic : topic.expand(tag, data, rs, batch.length());
        byte[] k = key == null ? null : key.expandBytes(tag, data, rs, batch.length());
        RecordHeaders h = fixedHeaders != null ? fixedHeaders : headers(tag, data, rs, batch.length());
        report.sending();
        p.send(new ProducerRecord<>(t, null, Math.floorDiv(timeNanos, 1_000_000L), k, value, h), report);
        return true;
      });
    } catch (IOException e) {
      if (report.sent() == 0) {
        throw new PermanentFailure("the batch cannot be read: " + e.getMessage(), e);
      }
      report.fail("part of the batch cannot be read: " + e.getMessage());
    } catch (RuntimeException e) {
      // the producer refused the send itself: closed, or in an error state it cannot leave
      String why = KafkaErrors.text(e);
      producerBroken(report.generation, why);
      report.fail(why);
    }
    report.allSent();
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
    KafkaProducer<byte[], byte[]> p = producer;
    if (p != null) {
      // the runtime has waited for what was on its way; what is still unconfirmed stays unacknowledged
      p.close(Duration.ofSeconds(2));
    }
  }

  /**
   * The delivery reports of one batch: one pending count per message handed to the producer plus one while
   * messages are still being handed over; the last report settles the receipt.
   */
  private final class BatchReport implements Callback {
    private final int events;
    private final Receipt receipt;
    final long generation;
    private final AtomicInteger pending = new AtomicInteger(1);
    private int handed;
    /** First reason the batch must be sent again; set from any thread. */
    volatile String failure;
    private volatile String refusal;
    private final AtomicInteger refused = new AtomicInteger();

    BatchReport(int events, Receipt receipt, long generation) {
      this.events = events;
      this.receipt = receipt;
      this.generation = generation;
    }

    void sending() {
      pending.incrementAndGet();
      handed++;
    }

    int sent() {
      return handed;
    }

    void fail(String why) {
      if (failure == null) {
        failure = why;
      }
    }

    void allSent() {
      if (pending.decrementAndGet() == 0) {
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
