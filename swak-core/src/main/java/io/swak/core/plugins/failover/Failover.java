package io.swak.core.plugins.failover;

import io.swak.api.Batch;
import io.swak.api.EntryReader;
import io.swak.api.Output;
import io.swak.api.PermanentFailure;
import io.swak.api.Stage;
import io.swak.api.Step;
import io.swak.api.StepContext;
import io.swak.core.config.StepConfig;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tries the outputs in order, starting from the one {@code start_by} picks; an output that fails is
 * skipped for {@code recover_interval}, then tried again. When every output fails the batch goes
 * to {@code last}; when that fails too, the whole round is retried after a backoff — the batch is
 * never dropped.
 */
final class Failover implements Stage {

  private static final Logger LOG = LoggerFactory.getLogger("swak.failover");

  private final FailoverPlugin.Options options;
  private final List<Member> members = new ArrayList<>();
  private Member last;
  private int hostStart;
  private StepContext context;

  /** An output of the failover and when it failed last. */
  private static final class Member {
    final Output output;
    final String name;
    /** Counter of events this output took, e.g. sent_out_fluentd_1. */
    final String sentCounter;
    long downUntilNanos;

    Member(Output output, String name) {
      this.output = output;
      this.name = name;
      this.sentCounter = "sent_" + name.replaceAll("[^A-Za-z0-9]+", "_").toLowerCase(java.util.Locale.ROOT);
    }
  }

  Failover(FailoverPlugin.Options options) {
    this.options = options;
  }

  @Override
  public void start(StepContext ctx) throws Exception {
    this.context = ctx;
    int i = 0;
    for (StepConfig sc : options.outputs()) {
      members.add(new Member(output(sc, ctx), sc.name() + " #" + ++i));
    }
    if (options.last() != null) {
      last = new Member(output(options.last(), ctx), options.last().name() + " (last)");
    }
    String by = options.startBy();
    if (by != null && (by.equalsIgnoreCase("ip") || by.equalsIgnoreCase("hostname"))) {
      hostStart = Math.floorMod(hostKey(by).hashCode(), members.size());
      LOG.info("{}: failover starts from {} ({} of this host)", ctx.taskName(), members.get(hostStart).name, by);
    }
  }

  private static Output output(StepConfig sc, StepContext ctx) throws Exception {
    Step s = sc.create();
    if (!(s instanceof Output o)) {
      throw new IllegalArgumentException(sc.where() + ": `" + sc.name() + "` is not an output; failover takes outputs");
    }
    o.start(ctx);
    return o;
  }

  /** This host's first non-loopback address (ip) or its name (hostname). */
  static String hostKey(String by) {
    try {
      if (by.equalsIgnoreCase("hostname")) {
        return InetAddress.getLocalHost().getHostName();
      }
      for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        for (InetAddress a : Collections.list(ni.getInetAddresses())) {
          if (!a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
            return a.getHostAddress();
          }
        }
      }
      return InetAddress.getLocalHost().getHostAddress();
    } catch (Exception e) {
      return "localhost";
    }
  }

  @Override
  public void accept(Batch batch, Emitter next) throws Exception {
    if (batch.isEmpty()) {
      next.emit(batch);
      return;
    }
    int start = startFor(batch);
    int round = 0;
    while (true) {
      long now = System.nanoTime();
      for (int k = 0; k < members.size(); k++) {
        Member m = members.get((start + k) % members.size());
        boolean lastChance = k == members.size() - 1 && last == null;
        if (m.downUntilNanos > now && !lastChance) {
          continue;
        }
        if (send(m, batch)) {
          next.emit(batch);
          return;
        }
      }
      if (last != null && send(last, batch)) {
        next.emit(batch);
        return;
      }
      round++;
      Duration wait = Duration.ofMillis(Math.min(60_000, 500L << Math.min(round, 7)));
      LOG.warn("{}: every output of the failover failed for {} events; trying again in {} ms", context.taskName(),
          batch.count(), wait.toMillis());
      context.metrics().retries(1);
      if (!context.sleep(wait)) {
        throw new IllegalStateException("stopping with " + batch.count() + " events undelivered");
      }
      for (Member m : members) {
        m.downUntilNanos = 0; // after a full failed round, everyone gets another chance
      }
    }
  }

  private boolean send(Member m, Batch batch) {
    try {
      m.output.write(batch);
      if (m.downUntilNanos != 0) {
        LOG.info("{}: {} is back", context.taskName(), m.name);
        m.downUntilNanos = 0;
      }
      context.metrics().count(m.sentCounter, batch.count());
      return true;
    } catch (PermanentFailure e) {
      LOG.error("{}: {} rejected {} events: {}; trying the next output", context.taskName(), m.name, batch.count(),
          e.getMessage());
      context.metrics().errors(1);
      return false;
    } catch (Exception e) {
      // even while stopping: the last flush of a buffer still deserves the next output and `last`
      m.downUntilNanos = System.nanoTime() + options.recoverInterval().toNanos();
      context.metrics().errors(1);
      LOG.warn("{}: {} failed ({}); moving to the next output for {} s", context.taskName(), m.name,
          e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(),
          options.recoverInterval().toSeconds());
      return false;
    }
  }

  /** Index of the first output to try for this batch. */
  private int startFor(Batch batch) {
    String by = options.startBy();
    if (by == null || by.equalsIgnoreCase("ip") || by.equalsIgnoreCase("hostname")) {
      return hostStart;
    }
    try (EntryReader r = new EntryReader(batch.data(), 0, batch.length())) {
      if (r.hasNext()) {
        r.next();
        Map<String, Object> rec = r.record();
        Object v = rec.get(by);
        if (v != null) {
          return Math.floorMod(String.valueOf(v).hashCode(), members.size());
        }
      }
    } catch (Exception e) {
      // no readable field: start from the first output
    }
    return 0;
  }

  @Override
  public void close() throws Exception {
    Exception first = null;
    List<Member> all = new ArrayList<>(members);
    if (last != null) {
      all.add(last);
    }
    for (Member m : all) {
      try {
        m.output.close();
      } catch (Exception e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
