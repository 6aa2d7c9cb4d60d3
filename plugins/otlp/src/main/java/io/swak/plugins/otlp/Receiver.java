package io.swak.plugins.otlp;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.StepMetrics;
import io.swak.support.BatchQueue;
import io.swak.support.ByteBudget;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * What both protocols do with a complete request body: decompress it (within the limit), decode it with the official
 * classes, turn it into batches, queue them, and answer once the task acknowledged every one of them — or at once
 * when it is bad, or when the queue is full (the client retries later: backpressure).
 */
final class Receiver {

  /** Body formats. */
  enum Format { PROTOBUF, JSON }

  private final OpenTelemetryInputPlugin.Options o;
  private final BatchQueue queue;
  private final StepMetrics metrics;
  private final LongSupplier now;
  private final ByteBudget budget;
  /**
   * Heap a decode holds per byte of (decompressed) protobuf, measured: the official classes' objects (~4.7x) and
   * the msgpack batches (~2.3x). Reserved from memory_limit while decoding, so concurrent huge requests cannot
   * exhaust the heap.
   */
  static final int DECODE_FACTOR = 7;
  private final String messageKey;
  private final String tagAttribute;
  /** Requests waiting for their acknowledgements, answered "unavailable" when the input closes. */
  private final java.util.Set<Pending> waiting = java.util.concurrent.ConcurrentHashMap.newKeySet();

  Receiver(OpenTelemetryInputPlugin.Options o, BatchQueue queue, StepMetrics metrics, LongSupplier now,
      ByteBudget budget) {
    this.o = o;
    this.budget = budget;
    this.queue = queue;
    this.metrics = metrics;
    this.now = now;
    this.messageKey = o.messageKey();
    this.tagAttribute = o.tagAttribute() == null || o.tagAttribute().isEmpty() ? null : o.tagAttribute();
  }

  long decompressedLimit() {
    return o.decompressedLimit().bytes();
  }

  /**
   * Handles one request body; {@code answer} is called once, with the outcome, on whatever thread settles it (the
   * caller's, a task's or a timer's). {@code encoding} is null for an uncompressed body.
   */
  void receive(Signal signal, Format format, String encoding, byte[] body, int off, int len, long held,
      ScheduledExecutorService timer, Consumer<Outcome> answer) {
    metrics.count("requests", 1);
    Decoded d;
    long decoding = 0;
    try {
      byte[] data = body;
      int start = off;
      int n = len;
      if (encoding != null) {
        data = Inflate.decode(encoding, body, off, len, o.decompressedLimit().bytes());
        start = 0;
        n = data.length;
      }
      decoding = (long) n * DECODE_FACTOR;
      if (!budget.take(decoding, held)) {
        decoding = 0;
        metrics.count("refused_full", 1);
        answer.accept(Outcome.full("the agent is decoding too many requests at once (memory_limit " + o.memoryLimit()
            + "); retry later"));
        return;
      }
      d = decode(signal, format, data, start, n);
    } catch (Inflate.BadBody e) {
      metrics.count(e.tooLarge ? "too_large" : "bad_requests", 1);
      answer.accept(e.tooLarge ? Outcome.tooLarge(e.getMessage()) : Outcome.bad(e.getMessage()));
      return;
    } catch (InvalidProtocolBufferException e) {
      metrics.count("bad_requests", 1);
      answer.accept(Outcome.bad("cannot decode the protobuf body of " + signal.path + ": " + e.getMessage()));
      return;
    } catch (OtlpJson.BadJson e) {
      metrics.count("bad_requests", 1);
      answer.accept(Outcome.bad("cannot decode the JSON body of " + signal.path + ": " + e.getMessage()));
      return;
    } finally {
      budget.give(decoding); // the objects are garbage now; the batches are bounded by queue_limit
    }
    if (d.parts.isEmpty()) {
      answer.accept(Outcome.SUCCESS);
      return;
    }
    Pending p = new Pending(answer, d.parts.size());
    List<Batch> batches = new ArrayList<>(d.parts.size());
    for (Decoded.Part part : d.parts) {
      batches.add(new Batch(part.tag(), part.data(), part.length(), part.count(), p.part()));
    }
    waiting.add(p);
    switch (queue.offerAll(batches)) {
      case TAKEN -> {
        metrics.count(signal == Signal.LOGS ? "log_records" : signal == Signal.METRICS ? "data_points" : "spans",
            signal == Signal.LOGS ? d.records : d.items);
        if (!o.ackTimeout().isZero()) {
          p.timeout = timer.schedule(() -> {
            if (p.settle(Outcome.unavailable("not delivered within ack_timeout (" + o.ackTimeout().toSeconds()
                + " s); send it again"))) {
              metrics.count("ack_timeouts", 1);
            }
          }, o.ackTimeout().toMillis(), TimeUnit.MILLISECONDS);
          if (p.settled.get()) {
            p.timeout.cancel(false); // acknowledged before the timer existed
          }
        }
      }
      case FULL -> {
        metrics.count("refused_full", 1);
        p.settle(Outcome.full("the agent's queue is full (queue_limit " + o.queueLimit() + "); retry later"));
      }
      case CLOSED -> p.settle(Outcome.unavailable("the agent is stopping; retry later"));
      default -> throw new IllegalStateException();
    }
  }

  private Decoded decode(Signal signal, Format format, byte[] data, int off, int n)
      throws InvalidProtocolBufferException, OtlpJson.BadJson {
    long t = now.getAsLong();
    String base = o.tag() + "." + signal.tagSuffix;
    return switch (signal) {
      case LOGS -> {
        ExportLogsServiceRequest req = format == Format.PROTOBUF
            ? ExportLogsServiceRequest.parseFrom(java.nio.ByteBuffer.wrap(data, off, n))
            : OtlpJson.merge(data, off, n, ExportLogsServiceRequest.newBuilder()).build();
        yield new LogsToEvents(base, messageKey, tagAttribute).decode(req, n, t);
      }
      case METRICS -> RelayToEvents.metrics(format == Format.PROTOBUF
          ? ExportMetricsServiceRequest.parseFrom(java.nio.ByteBuffer.wrap(data, off, n))
          : OtlpJson.merge(data, off, n, ExportMetricsServiceRequest.newBuilder()).build(), base, t);
      case TRACES -> RelayToEvents.traces(format == Format.PROTOBUF
          ? ExportTraceServiceRequest.parseFrom(java.nio.ByteBuffer.wrap(data, off, n))
          : OtlpJson.merge(data, off, n, ExportTraceServiceRequest.newBuilder()).build(), base, t);
    };
  }

  /** Answers every request still waiting: the input is closing, their batches will not be acknowledged now. */
  void closeAll() {
    for (Pending p : waiting) {
      p.settle(Outcome.unavailable("the agent is stopping; send it again"));
    }
  }

  /** The acknowledgements of a request's batches: the last one answers the request. */
  private final class Pending {
    private final Consumer<Outcome> answer;
    private final AtomicInteger left;
    private final AtomicBoolean settled = new AtomicBoolean();
    volatile ScheduledFuture<?> timeout;

    Pending(Consumer<Outcome> answer, int parts) {
      this.answer = answer;
      this.left = new AtomicInteger(parts);
    }

    /** The ack of one batch; an ack may be completed more than once, it counts once. */
    Ack part() {
      AtomicBoolean once = new AtomicBoolean();
      return () -> {
        if (once.compareAndSet(false, true) && left.decrementAndGet() == 0) {
          settle(Outcome.SUCCESS);
        }
      };
    }

    boolean settle(Outcome outcome) {
      if (!settled.compareAndSet(false, true)) {
        return false;
      }
      waiting.remove(this);
      ScheduledFuture<?> t = timeout;
      if (t != null) {
        t.cancel(false);
      }
      answer.accept(outcome);
      return true;
    }
  }
}
