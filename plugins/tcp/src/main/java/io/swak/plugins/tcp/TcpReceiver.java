package io.swak.plugins.tcp;

import io.swak.api.StepContext;
import io.swak.api.StepMetrics;
import io.swak.support.BatchQueue;
import io.swak.support.ByteBudget;
import io.swak.support.WarnEvery;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What every connection of one in.Tcp shares: options, the queue to the task, counters, the log. */
final class TcpReceiver {

  private static final Logger LOG = LoggerFactory.getLogger("swak.tcp");

  final TcpInputPlugin.Options options;
  final BatchQueue queue;
  final StepMetrics metrics;
  /** What the unfinished lines and messages of all connections hold (assembly_limit). */
  final ByteBudget memory;
  private final StepContext context;
  private final Set<TcpConnection> open = ConcurrentHashMap.newKeySet();
  /** A warning of one kind is logged at most once in ten seconds (a flood of garbage is one line, and counted). */
  private final WarnEvery warnEvery = WarnEvery.tenSeconds();
  private final LongAdder bytesIn = new LongAdder();
  private final LongAdder decodedBytes = new LongAdder();

  TcpReceiver(TcpInputPlugin.Options options, BatchQueue queue, StepContext context) {
    this.options = options;
    this.queue = queue;
    this.context = context;
    this.metrics = context.metrics();
    this.memory = new ByteBudget(options.assemblyLimit() != null ? options.assemblyLimit().bytes()
        : options.maxMessageSize().bytes() + (8 << 20));
    metrics.gauge("connections_open", () -> open.size());
    metrics.gauge("queue_bytes", queue::bytes);
    metrics.gauge("buffered_bytes", memory::used);
    metrics.gauge("bytes_received", bytesIn::sum);
    metrics.gauge("bytes_decompressed", decodedBytes::sum);
  }

  StepContext context() {
    return context;
  }

  long now() {
    return context.nowNanos();
  }

  void opened(TcpConnection c) {
    open.add(c);
  }

  void closed(TcpConnection c) {
    open.remove(c);
  }

  int openCount() {
    return open.size();
  }

  void bytesIn(int n) {
    bytesIn.add(n);
  }

  void decodedBytes(int n) {
    decodedBytes.add(n);
  }

  /** Logs {@code message} unless a warning of this kind was logged in the last ten seconds. */
  void warn(String kind, String message) {
    if (warnEvery.due(kind)) {
      LOG.warn(message);
    }
  }

  void debug(String message) {
    LOG.debug(message);
  }
}
