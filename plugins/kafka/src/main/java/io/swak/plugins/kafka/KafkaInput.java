package io.swak.plugins.kafka;

import io.swak.api.AckWindow;
import io.swak.api.Batch;
import io.swak.api.BatchBuilder;
import io.swak.api.Input;
import io.swak.api.StepContext;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * in.Kafka: a consumer-group member driven by the task thread. Every consumer call (poll, commit, seek, the
 * rebalance callbacks that run inside poll) happens on that thread — KafkaConsumer is not thread-safe.
 * Acknowledgements arrive on other threads: they only move the partition's {@link AckWindow} and raise a flag,
 * and the next poll commits, for each partition, the end of its acknowledged prefix — never past a message
 * still in flight.
 *
 * <p>One batch holds the messages of one partition from one poll, so a partition's order is kept. When
 * partitions are revoked, what they had acknowledged is committed at once, and their batches not yet handed on
 * are dropped, as are the acknowledgements still to come for them (the new owner reads them again from the
 * committed offset: at-least-once, duplicates only from what was in flight).
 */
final class KafkaInput implements Input {

  private static final Logger LOG = LoggerFactory.getLogger("swak.kafka");
  private static final Duration COMMIT_WAIT = Duration.ofSeconds(10);
  /**
   * The partitions each in.Kafka step was given since the agent (this JVM) started, by task, step and group:
   * {@code start_from: earliest | latest} applies the first time only, not again when the task restarts after a
   * failure or a reload — {@code latest} would then skip what came in the meantime, {@code earliest} replay it all.
   */
  private static final Map<String, Set<TopicPartition>> SEEN = new ConcurrentHashMap<>();

  private final KafkaInputPlugin.Options o;
  private final RecordDecoder decoder;
  private StepContext context;
  private String where;
  private KafkaConsumer<byte[], byte[]> consumer;

  // the poll thread's
  private final Map<TopicPartition, Partition> partitions = new HashMap<>();
  private final ArrayDeque<Ready> ready = new ArrayDeque<>();
  /** Partitions given to this step since the agent started: {@link #SEEN}'s set of this task, step and group. */
  private Set<TopicPartition> seenSinceStart;
  private final BatchBuilder builder = new BatchBuilder();
  private long nextCommitNanos;
  /** An acknowledgement moved some partition's window since the last commit; set from any thread. */
  private final AtomicBoolean acknowledged = new AtomicBoolean();
  private volatile int assigned;

  /** A batch read and not yet handed to the task. */
  private record Ready(TopicPartition partition, Batch batch) { }

  /** One assigned partition: its window of batches in flight and the offset committed last. */
  private final class Partition {
    final TopicPartition tp;
    final AckWindow window;
    long committed;

    Partition(TopicPartition tp, long position) {
      this.tp = tp;
      this.window = new AckWindow(position, () -> acknowledged.set(true));
      this.committed = position;
    }
  }

  KafkaInput(KafkaInputPlugin.Options options) {
    this.o = options;
    this.decoder = new RecordDecoder(options.format(), options.messageKey(), options.metadataKey());
  }

  @Override
  public void start(StepContext ctx) throws Exception {
    this.context = ctx;
    this.where = ctx.taskName() + " " + ctx.stepName();
    this.seenSinceStart = SEEN.computeIfAbsent(ctx.taskName() + '\u0000' + ctx.stepName() + '\u0000' + o.group(),
        k -> ConcurrentHashMap.newKeySet());
    Properties p = new Properties();
    p.put("group.id", o.group());
    p.put("enable.auto.commit", "false"); // commits follow acknowledgements, nothing else
    p.put("auto.offset.reset", o.startFrom() == KafkaInputPlugin.StartFrom.LATEST ? "latest" : "earliest");
    p.put("max.poll.records", String.valueOf(o.maxPollRecords()));
    // kafka-clients asks for topics only every 5 minutes by default: a new topic of the pattern would wait that long
    p.put("metadata.max.age.ms", String.valueOf(o.refreshInterval().toMillis()));
    // only the partitions that move are revoked at a rebalance: the others keep their batches in flight
    p.put("partition.assignment.strategy", CooperativeStickyAssignor.class.getName());
    p.put("key.deserializer", ByteArrayDeserializer.class.getName());
    p.put("value.deserializer", ByteArrayDeserializer.class.getName());
    p.putAll(o.client("swak-" + ctx.taskName().replace(' ', '-')).toProperties());
    try {
      consumer = new KafkaConsumer<>(p);
    } catch (KafkaException e) {
      throw new IllegalArgumentException("cannot create the Kafka consumer: " + KafkaErrors.text(e), e);
    }
    Rebalance listener = new Rebalance();
    if (o.topicPattern() != null) {
      consumer.subscribe(o.topicPattern(), listener);
    } else {
      consumer.subscribe(o.topics(), listener);
    }
    ctx.metrics().gauge("partitions", () -> assigned);
    nextCommitNanos = System.nanoTime() + o.commitInterval().toNanos();
  }

  @Override
  public Batch poll(Duration maxWait) throws Exception {
    commitIfDue();
    Ready r = ready.pollFirst();
    if (r != null) {
      return r.batch;
    }
    ConsumerRecords<byte[], byte[]> records;
    try {
      records = consumer.poll(maxWait); // rebalance callbacks run in here, on this thread
    } catch (KafkaException e) {
      throw new IOException("Kafka consumer: " + KafkaErrors.text(e), e);
    }
    if (records.isEmpty()) {
      return null;
    }
    for (TopicPartition tp : records.partitions()) {
      Partition part = partitions.get(tp);
      if (part == null) {
        continue; // not ours any more
      }
      List<ConsumerRecord<byte[], byte[]>> list = records.records(tp);
      for (ConsumerRecord<byte[], byte[]> rec : list) {
        decoder.add(builder, rec, context);
      }
      long end = list.get(list.size() - 1).offset() + 1;
      String tag = o.tag() != null ? o.tag() : "kafka." + tp.topic();
      ready.addLast(new Ready(tp, builder.build(tag, part.window.add(end))));
    }
    long bad = decoder.takeUnparsed();
    if (bad > 0) {
      context.metrics().count("parse_errors", bad);
      context.metrics().errors(bad);
    }
    Ready first = ready.pollFirst();
    return first == null ? null : first.batch;
  }

  /** Commits the acknowledged prefix of every partition that moved, at most once per commit interval. */
  private void commitIfDue() {
    if (!acknowledged.get() || System.nanoTime() - nextCommitNanos < 0) {
      return;
    }
    acknowledged.set(false);
    nextCommitNanos = System.nanoTime() + o.commitInterval().toNanos();
    Map<TopicPartition, OffsetAndMetadata> offsets = toCommit(partitions.values());
    if (offsets.isEmpty()) {
      return;
    }
    consumer.commitAsync(offsets, (done, e) -> {
      if (e != null) {
        committedFailed(done == null ? offsets : done, e);
      } else {
        context.metrics().count("commits", 1);
      }
    });
  }

  private Map<TopicPartition, OffsetAndMetadata> toCommit(Collection<Partition> parts) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (Partition part : parts) {
      long c = part.window.committed();
      if (c > part.committed) {
        offsets.put(part.tp, new OffsetAndMetadata(c));
        part.committed = c;
      }
    }
    return offsets;
  }

  /** A commit that failed is tried again at the next interval (its partitions, if still ours). */
  private void committedFailed(Map<TopicPartition, OffsetAndMetadata> offsets, Exception e) {
    context.metrics().count("commit_errors", 1);
    LOG.warn("{}: committing offsets failed ({}); trying again", where, KafkaErrors.text(e));
    for (TopicPartition tp : offsets.keySet()) {
      Partition part = partitions.get(tp);
      if (part != null) {
        part.committed = -1;
      }
    }
    acknowledged.set(true);
  }

  private void commitNow(Collection<Partition> parts) {
    Map<TopicPartition, OffsetAndMetadata> offsets = toCommit(parts);
    if (offsets.isEmpty()) {
      return;
    }
    try {
      consumer.commitSync(offsets, COMMIT_WAIT);
      context.metrics().count("commits", 1);
    } catch (KafkaException e) {
      context.metrics().count("commit_errors", 1);
      LOG.warn("{}: committing the acknowledged offsets failed ({}); what was delivered after the last commit "
          + "will be read again", where, KafkaErrors.text(e));
    }
  }

  /** Forgets partitions that are not ours any more: their queued batches, and acknowledgements still to come. */
  private void drop(Collection<TopicPartition> tps) {
    for (TopicPartition tp : tps) {
      Partition part = partitions.remove(tp);
      if (part != null) {
        part.window.reset(part.committed); // later acknowledgements of its batches change nothing
      }
    }
    for (Iterator<Ready> it = ready.iterator(); it.hasNext(); ) {
      if (tps.contains(it.next().partition)) {
        it.remove();
      }
    }
    assigned = partitions.size();
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> tps) {
      if (tps.isEmpty()) {
        return;
      }
      List<Partition> parts = tps.stream().map(partitions::get).filter(java.util.Objects::nonNull).toList();
      commitNow(parts); // what was acknowledged stays done for the next owner
      drop(tps);
      LOG.info("{}: partitions revoked: {}", where, tps);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> tps) {
      // another member may own them already: committing now could move its offsets back
      drop(tps);
      LOG.warn("{}: partitions lost (this consumer was out of the group): {}", where, tps);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> tps) {
      for (TopicPartition tp : tps) {
        if (seenSinceStart.add(tp)) {
          switch (o.startFrom()) {
            case EARLIEST -> consumer.seekToBeginning(List.of(tp));
            case LATEST -> consumer.seekToEnd(List.of(tp));
            default -> { }
          }
        }
        long position = consumer.position(tp, COMMIT_WAIT);
        partitions.put(tp, new Partition(tp, position));
      }
      assigned = partitions.size();
      if (!tps.isEmpty()) {
        LOG.info("{}: partitions assigned: {}", where, tps);
      }
    }
  }

  /** Commits what was acknowledged (the stages closed before: their acknowledgements are in), then leaves the group. */
  @Override
  public void close() {
    if (consumer == null) {
      return;
    }
    try {
      commitNow(partitions.values());
    } finally {
      try {
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
      } catch (KafkaException e) {
        LOG.warn("{}: closing the consumer: {}", where, KafkaErrors.text(e));
      }
    }
  }
}
