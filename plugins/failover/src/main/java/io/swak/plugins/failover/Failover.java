package io.swak.plugins.failover;

import io.swak.api.Batch;
import io.swak.api.EntryReader;
import io.swak.api.NestedStep;
import io.swak.api.Output;
import io.swak.api.PermanentFailure;
import io.swak.api.StepContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An output made of outputs: each batch goes to the first of them that takes it, starting from the one
 * {@code start_by} picks; an output that fails is skipped for {@code recover_interval}, then tried again.
 * When every output fails the batch goes to {@code last}; when that fails too the send fails and the
 * runtime sends the batch again after a backoff — the batch is never dropped.
 *
 * <p>It is an {@link Output} itself, so the runtime's delivery path serves it as any other: its window
 * is the largest of its outputs', a batch whose receipt says failed on one output is sent again (in
 * order) and goes to the next. Its outputs are opened through the step context, so each keeps its own
 * window, threads and counters.
 */
final class Failover implements Output {

  private static final Logger LOG = LoggerFactory.getLogger("swak.failover");

  private final FailoverPlugin.Options options;
  private final List<Member> members = new ArrayList<>();
  private Member last;
  private int hostStart;
  private StepContext context;
  /** Outputs that rejected a batch, so that batch goes to the others when it is sent again. */
  private final Map<Batch, Set<Member>> rejectedBy = Collections.synchronizedMap(new WeakHashMap<>());

  /** An output of the failover and when it failed last. */
  private static final class Member {
    final Output output;
    final String name;
    /** Counter of events this output took, e.g. sent_out_fluentd_1. */
    final String sentCounter;
    volatile long downUntilNanos;

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
    try {
      int i = 0;
      for (NestedStep sc : options.outputs()) {
        members.add(new Member(ctx.open(sc, Output.class), sc.name() + " #" + ++i));
      }
      if (options.last() != null) {
        last = new Member(ctx.open(options.last(), Output.class), options.last().name() + " (last)");
      }
    } catch (Exception e) {
      close(); // the outputs opened before the one that failed
      throw e;
    }
    String by = options.startBy();
    if (by != null && (by.equalsIgnoreCase("ip") || by.equalsIgnoreCase("hostname"))) {
      hostStart = Math.floorMod(hostKey(by).hashCode(), members.size());
      LOG.info("{}: failover starts from {} ({} of this host)", ctx.taskName(), members.get(hostStart).name, by);
    }
  }

  /** The largest window of the outputs: batches a windowed output has on its way keep coming. */
  @Override
  public int window() {
    int w = 1;
    for (Member m : members) {
      w = Math.max(w, m.output.window());
    }
    return last == null ? w : Math.max(w, last.output.window());
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
  public void send(Batch batch, Receipt receipt) throws Exception {
    int start = startFor(batch);
    Set<Member> refused = rejectedBy.get(batch);
    long now = System.nanoTime();
    List<String> why = new ArrayList<>();
    int rejections = refused == null ? 0 : refused.size();
    for (int k = 0; k < members.size(); k++) {
      Member m = members.get((start + k) % members.size());
      boolean lastChance = k == members.size() - 1 && last == null;
      if (refused != null && refused.contains(m) || m.downUntilNanos - now > 0 && !lastChance) {
        continue;
      }
      int sent = sendTo(m, batch, receipt, why);
      if (sent > 0) {
        return;
      }
      rejections -= sent;
    }
    if (last != null && (refused == null || !refused.contains(last))) {
      int sent = sendTo(last, batch, receipt, why);
      if (sent > 0) {
        return;
      }
      rejections -= sent;
    }
    rejectedBy.remove(batch);
    String all = why.isEmpty() ? "" : ": " + String.join("; ", why);
    if (rejections >= members.size() + (last == null ? 0 : 1)) {
      throw new PermanentFailure("every output of the failover rejected them" + all);
    }
    for (Member m : members) {
      m.downUntilNanos = 0; // after a full failed round, everyone gets another chance
    }
    throw new IOException("every output of the failover failed" + all);
  }

  /** 1 when {@code m} took the batch (its receipt settles it), 0 when it failed at once, -1 when it refused it. */
  private int sendTo(Member m, Batch batch, Receipt receipt, List<String> why) {
    try {
      m.output.send(batch, new MemberReceipt(m, batch, receipt));
      return 1;
    } catch (PermanentFailure e) {
      LOG.error("{}: {} rejected {} events: {}; trying the next output", context.taskName(), m.name, batch.count(),
          e.getMessage());
      context.metrics().errors(1);
      why.add(m.name + " rejected them: " + e.getMessage());
      return -1;
    } catch (Exception e) {
      down(m, io.swak.support.FailureText.of(e));
      why.add(m.name + ": " + e.getMessage());
      return 0;
    }
  }

  /** Even while stopping: the last flush of a buffer still deserves the next output and `last`. */
  private void down(Member m, String reason) {
    m.downUntilNanos = System.nanoTime() + options.recoverInterval().toNanos();
    context.metrics().errors(1);
    LOG.warn("{}: {} failed ({}); moving to the next output for {} s", context.taskName(), m.name, reason,
        options.recoverInterval().toSeconds());
  }

  /** Settles the failover's receipt from one output's. */
  private final class MemberReceipt implements Receipt {
    private final Member member;
    private final Batch batch;
    private final Receipt outer;

    MemberReceipt(Member member, Batch batch, Receipt outer) {
      this.member = member;
      this.batch = batch;
      this.outer = outer;
    }

    @Override
    public void delivered() {
      if (member.downUntilNanos != 0) {
        LOG.info("{}: {} is back", context.taskName(), member.name);
        member.downUntilNanos = 0;
      }
      rejectedBy.remove(batch);
      context.metrics().count(member.sentCounter, batch.count());
      outer.delivered();
    }

    @Override
    public void failed(String reason) {
      down(member, reason);
      outer.failed(member.name + ": " + reason); // sent again, in order: then to the next output
    }

    @Override
    public void rejected(String reason) {
      LOG.error("{}: {} rejected {} events: {}; trying the next output", context.taskName(), member.name,
          batch.count(), reason);
      rejectedBy.computeIfAbsent(batch, b -> Collections.synchronizedSet(new java.util.HashSet<>())).add(member);
      outer.failed(member.name + " rejected them: " + reason);
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
