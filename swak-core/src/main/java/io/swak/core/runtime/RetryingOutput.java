package io.swak.core.runtime;

import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.Output;
import io.swak.api.PermanentFailure;
import io.swak.api.Stage;
import io.swak.api.StepContext;
import io.swak.api.WindowedOutput;
import io.swak.core.config.DeliveryOptions;
import io.swak.core.format.LineFormat;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an {@link Output} with retries: a batch that fails to write is written again after a backoff
 * until it is delivered, the task stops (then it stays unacknowledged and is read again after a
 * restart), or {@code retry_max_times} is reached. A batch given up on, or rejected with
 * {@link PermanentFailure}, goes to the dead-letter file — counted and logged, never silently lost —
 * and then on to the following steps. Only the task that owns the output waits.
 *
 * <p>A {@link WindowedOutput} gets up to its window of batches on their way at once. Each goes on to the
 * following steps when sent; its acknowledgement completes once the output confirmed it too. A batch
 * whose confirmation is lost is written again, in order, the synchronous way above: by a short-lived
 * thread started when the receipt says lost (so a quiet input does not leave it waiting), or by the
 * task thread if its next batch gets there first.
 */
final class RetryingOutput implements Stage {

  private static final Logger LOG = LoggerFactory.getLogger("swak.output");

  private final Output output;
  private final String where;
  private final DeliveryOptions delivery;
  private final RetryPolicy policy;
  /**
   * Heap a window may hold in unconfirmed batches. A batch of more than half of it goes the synchronous
   * way: it keeps the link busy long enough alone, and two such batches alive at once cost more memory
   * (and garbage collection) than the overlap gains — measured with 4 MiB buffer chunks.
   */
  static final long WINDOW_BYTES = 4L << 20;
  /** How long close() waits for the confirmations of batches on their way. */
  static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

  private StepContext context;
  private int window = 1;
  /** Held by whoever sends or resends: the task thread, or the resend thread. */
  private final ReentrantLock owner = new ReentrantLock();
  /** Unconfirmed batches (and confirmed ones behind an unconfirmed head), oldest first; under {@link #owner}. */
  private final ArrayDeque<Sent> inFlight = new ArrayDeque<>();
  /** Notified when a receipt comes; never held while sending, so the output's threads never wait for the task. */
  private final Object changes = new Object();
  private final AtomicBoolean resendScheduled = new AtomicBoolean();
  private volatile boolean closing;

  RetryingOutput(Output output, String where, DeliveryOptions delivery) {
    this.output = output;
    this.where = where;
    this.delivery = delivery;
    this.policy = new RetryPolicy(delivery.retryWait(), delivery.retryMaxWait(), 0.2);
  }

  @Override
  public void start(StepContext ctx) throws Exception {
    this.context = ctx;
    output.start(ctx);
    window = output instanceof WindowedOutput w ? w.window() : 1;
  }

  @Override
  public void accept(Batch batch, Emitter next) throws Exception {
    if (batch.isEmpty()) {
      next.emit(batch);
    } else if (window <= 1) {
      deliver(batch);
      next.emit(batch);
    } else {
      next.emit(sendWindowed(batch));
    }
  }

  /** Sends {@code batch} once the window has room; returns it with the ack that also waits for its confirmation. */
  private Batch sendWindowed(Batch batch) throws IOException {
    owner.lock();
    try {
      settle();
      if (batch.length() > WINDOW_BYTES / 2) {
        drain(); // the batches on their way go first: the big one must not overtake them
        deliver(batch);
        return batch;
      }
      while (!inFlight.isEmpty() && (inFlight.size() >= window || bytesInFlight() + batch.length() > WINDOW_BYTES)) {
        awaitReceipt();
        settle();
      }
      Sent s = new Sent(batch);
      try {
        ((WindowedOutput) output).send(batch, s);
      } catch (TaskStoppedException e) {
        throw e;
      } catch (Exception e) {
        // this batch is not on its way; earlier ones may be lost with the connection: they go first
        context.metrics().errors(1);
        LOG.warn("{}: sending {} events failed ({}); sending again", where, batch.count(), Tasks.message(e));
        drain();
        deliver(batch);
        return batch;
      }
      inFlight.add(s);
      return batch.withAck(s.followingStepsDone);
    } finally {
      owner.unlock();
    }
  }

  /** Writes lost batches again, in order, and forgets confirmed ones at the head. Under {@link #owner}. */
  private void settle() throws IOException {
    for (Sent s : inFlight) {
      if (s.state == Sent.LOST) {
        context.metrics().errors(1);
        LOG.warn("{}: {} events sent but not confirmed ({}); sending again", where, s.batch.count(), s.reason);
        deliver(s.batch);
        s.state = Sent.CONFIRMED;
        s.complete(Sent.CONFIRMED_BIT);
      }
    }
    while (!inFlight.isEmpty() && inFlight.peekFirst().state == Sent.CONFIRMED) {
      inFlight.pollFirst();
    }
  }

  private long bytesInFlight() {
    long n = 0;
    for (Sent s : inFlight) {
      n += s.batch.length();
    }
    return n;
  }

  /** Waits until every batch on its way is confirmed or written again. Under {@link #owner}. */
  private void drain() throws IOException {
    settle();
    while (!inFlight.isEmpty()) {
      awaitReceipt();
      settle();
    }
  }

  /** Waits (a little) for a receipt; a stop ends the wait. */
  private void awaitReceipt() {
    try {
      waitForReceipt();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TaskStoppedException();
    }
    if (context.stopping()) {
      throw new TaskStoppedException();
    }
  }

  /** Waits up to 100 ms while the oldest batch is unconfirmed and none is lost. Under {@link #owner}. */
  private void waitForReceipt() throws InterruptedException {
    synchronized (changes) {
      Sent head = inFlight.peekFirst();
      if (head != null && head.state == Sent.SENT && inFlight.stream().noneMatch(s -> s.state == Sent.LOST)) {
        changes.wait(100);
      }
    }
  }

  /** A receipt said lost: resend on a thread of its own, unless one is already on its way or the output closed. */
  private void resendSoon() {
    if (closing || !resendScheduled.compareAndSet(false, true)) {
      return;
    }
    Thread t = new Thread(() -> {
      owner.lock();
      try {
        resendScheduled.set(false);
        if (closing) {
          return; // close() settled what it could while this thread waited; the output is closed now
        }
        settle();
      } catch (TaskStoppedException e) {
        // stopping: what is lost stays unacknowledged, and the input sends it again at the next start
      } catch (Exception e) {
        LOG.error("{}: resending failed: {}", where, Tasks.message(e));
      } finally {
        owner.unlock();
      }
    }, "swak-resend-" + context.taskName().replace(' ', '-'));
    t.setDaemon(true);
    t.start();
  }

  /**
   * A batch on its way. Its upstream acknowledgement completes when both the output confirmed it (or it
   * was written again) and the following steps are done with it.
   */
  private final class Sent implements WindowedOutput.Receipt {
    static final int SENT = 0;
    static final int CONFIRMED = 1;
    static final int LOST = 2;
    static final int CONFIRMED_BIT = 1;
    static final int FOLLOWING_BIT = 2;

    final Batch batch;
    volatile int state = SENT;
    volatile String reason;
    private final AtomicInteger parts = new AtomicInteger();
    final Ack followingStepsDone = () -> complete(FOLLOWING_BIT);

    Sent(Batch batch) {
      this.batch = batch;
    }

    void complete(int bit) {
      int before = parts.getAndUpdate(p -> p | bit);
      if (before != (CONFIRMED_BIT | FOLLOWING_BIT) && (before | bit) == (CONFIRMED_BIT | FOLLOWING_BIT)) {
        batch.ack().done();
      }
    }

    @Override
    public void confirmed() {
      synchronized (changes) {
        if (state != SENT) {
          return;
        }
        state = CONFIRMED;
        changes.notifyAll();
      }
      complete(CONFIRMED_BIT);
    }

    @Override
    public void lost(String why) {
      synchronized (changes) {
        if (state != SENT) {
          return;
        }
        reason = why;
        state = LOST;
        changes.notifyAll();
      }
      resendSoon();
    }
  }

  private void deliver(Batch batch) throws IOException {
    int attempt = 0;
    while (true) {
      try {
        output.write(batch);
        if (attempt > 0) {
          LOG.info("{}: delivered {} events after {} retries", where, batch.count(), attempt);
        }
        return;
      } catch (TaskStoppedException e) {
        throw e;
      } catch (PermanentFailure e) {
        context.metrics().errors(1);
        deadLetter(batch, "rejected: " + e.getMessage());
        return;
      } catch (Exception e) {
        attempt++;
        context.metrics().errors(1);
        if (!delivery.forever() && attempt > delivery.retryMaxTimes()) {
          deadLetter(batch, "gave up after " + delivery.retryMaxTimes() + " retries: " + Tasks.message(e));
          return;
        }
        context.metrics().retries(1);
        var wait = policy.delay(attempt);
        LOG.warn("{}: {} events not delivered ({}); retry {} in {} ms", where, batch.count(), Tasks.message(e),
            attempt, wait.toMillis());
        if (!context.sleep(wait)) {
          throw new TaskStoppedException();
        }
      }
    }
  }

  private void deadLetter(Batch batch, String why) throws IOException {
    Path file = delivery.deadLetterPath() != null ? delivery.deadLetterPath()
        : context.dataDir().resolve("dead-letter").resolve(context.taskName().replaceAll("[^A-Za-z0-9._-]", "_")
            + ".jsonl");
    Files.createDirectories(file.toAbsolutePath().getParent());
    try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      new LineFormat(LineFormat.Kind.JSON, "message").write(batch, out);
    }
    context.metrics().dropped(batch.count());
    context.metrics().count("dead_lettered", batch.count());
    LOG.error("{}: {} events {}; written to dead-letter file {}", where, batch.count(), why, file);
  }

  /**
   * Waits a little for the confirmations of batches on their way (and writes lost ones again unless
   * stopping), then closes the output. What stays unconfirmed stays unacknowledged: the input sends it
   * again at the next start.
   */
  @Override
  public void close() throws Exception {
    if (window > 1) {
      owner.lock();
      try {
        long giveUp = System.nanoTime() + CLOSE_WAIT.toNanos();
        settle();
        while (!inFlight.isEmpty() && System.nanoTime() - giveUp < 0) {
          waitForReceipt(); // not cut short by a stop: acks on their way normally come within milliseconds
          settle();
        }
      } catch (TaskStoppedException e) {
        // stopping while writing a lost batch again: it stays unacknowledged
      } finally {
        closing = true;
        if (!inFlight.isEmpty()) {
          LOG.warn("{}: closing with {} events unconfirmed; not acknowledged, so the input sends them again",
              where, inFlight.stream().filter(s -> s.state != Sent.CONFIRMED).mapToInt(s -> s.batch.count()).sum());
        }
        owner.unlock();
      }
    }
    output.close();
  }
}
