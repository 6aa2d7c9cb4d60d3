package io.swak.core.runtime;

import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.Output;
import io.swak.api.PermanentFailure;
import io.swak.api.Stage;
import io.swak.api.StepContext;
import io.swak.core.config.DeliveryOptions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one delivery path of every output: the runtime's side of {@link Output}. An output only sends;
 * this stage owns the rest — the sender thread, the window of batches on their way, the order after a
 * loss, retries with backoff and jitter, the dead-letter file and the output's delivery counters — so a
 * new output is one class that encodes and sends.
 *
 * <p>Window 1: the task thread sends and waits for the receipt, retrying until the batch is delivered,
 * the task stops, or {@code retry_max_times} is reached (then the dead-letter file). Then the batch goes
 * on to the following steps.
 *
 * <p>A larger window: the task thread queues the batch and goes on to the following steps at once; the
 * batch's acknowledgement completes when both the output delivered it and the following steps are done
 * with it. A sender thread sends queued batches in order while at most {@code window} batches (and
 * {@link #WINDOW_BYTES}) are unsettled; the task waits while that is full. After a loss nothing new is
 * sent: once every batch on its way has settled, the lost ones are sent again, oldest first, after a
 * backoff, the first of them alone (a probe), and only then the rest — so a batch never overtakes one
 * that was lost before it.
 *
 * <p>A receipt may also say that only part of the batch arrived ({@link Output.Receipt#partly}): the refused
 * entries go to the dead-letter file at once, the entries to send again take the batch's place (window 1: the
 * task thread sends them after the backoff; larger windows: the job becomes lost with only those entries), and
 * the batch's acknowledgement waits until nothing of it is left.
 */
final class Delivery implements Stage {

  private static final Logger LOG = LoggerFactory.getLogger("swak.output");
  /**
   * Heap the unsettled batches of a window may hold. A batch of more than that waits until it is alone:
   * two such batches alive at once cost more memory (and collections) than the overlap gains (measured
   * with 4 MiB buffer chunks).
   */
  static final long WINDOW_BYTES = 4L << 20;
  /** How long close() waits for batches on their way. */
  static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

  private final Output output;
  private final String where;
  private final DeliveryOptions options;
  private final RetryPolicy policy;
  private DeadLetters deadLetters;
  private StepContext context;
  private int window = 1;

  // windowed delivery; all under `lock`
  private final Object lock = new Object();
  /** Every batch accepted and not finished (delivered or dead-lettered), oldest first. */
  private final ArrayDeque<Job> pending = new ArrayDeque<>();
  private long pendingBytes;
  private int sending;
  /** A batch sent again after a loss is on its way: nothing else goes until it settled. */
  private boolean probing;
  /** Rounds of losses since the last delivery, to say when the output works again. */
  private int failures;
  private long resendAtNanos;
  private boolean closing;
  private Thread sender;

  // for health (StepCounters.delivery): read by the status thread, written where deliveries happen
  private volatile long lastDeliveredNanos = System.nanoTime();
  /** Window 1: when the batch being delivered now arrived; 0 when none is. */
  private volatile long busySinceNanos;
  private volatile int busyEvents;

  Delivery(Output output, String where, DeliveryOptions options) {
    this.output = output;
    this.where = where;
    this.options = options;
    this.policy = new RetryPolicy(options.retryWait(), options.retryMaxWait(), 0.2);
  }

  @Override
  public void start(StepContext ctx) throws Exception {
    this.context = ctx;
    this.deadLetters = new DeadLetters(options.deadLetterPath(), ctx, where);
    output.start(ctx);
    window = Math.max(1, output.window());
    String lossy = output.atMostOnce();
    if (lossy != null) {
      LOG.warn("{}: at-most-once delivery: {}", where, lossy);
    }
    if (ctx.metrics() instanceof StepCounters c) {
      c.delivery(this::stalledNanos, this::waitingEvents);
    }
    ctx.metrics().gauge("in_flight", () -> {
      synchronized (lock) {
        return pending.size();
      }
    });
    if (window > 1) {
      sender = new Thread(this::sendLoop, "swak-send-" + context.taskName().replace(' ', '-') + "-"
          + context.stepName());
      sender.setDaemon(true);
      sender.start();
    }
  }

  @Override
  public void accept(Batch batch, Emitter next) throws Exception {
    if (batch.isEmpty()) {
      next.emit(batch);
    } else if (window == 1) {
      deliverWatched(batch);
      next.emit(batch);
    } else {
      next.emit(enqueue(batch));
    }
  }

  // ---- window 1: on the task thread ----------------------------------------------------------------

  /** deliverNow, with what health reads: since when a batch waits. */
  private void deliverWatched(Batch batch) throws Exception {
    busyEvents = batch.count();
    busySinceNanos = System.nanoTime();
    try {
      deliverNow(batch);
    } finally {
      busySinceNanos = 0;
    }
  }

  /** How long the oldest undelivered batch has waited with nothing delivered meanwhile; 0 when none waits. */
  private long stalledNanos() {
    long since;
    if (window == 1) {
      since = busySinceNanos;
    } else {
      synchronized (lock) {
        Job oldest = pending.peekFirst();
        since = oldest == null ? 0 : oldest.acceptedNanos;
      }
    }
    return since == 0 ? 0 : Math.max(0, System.nanoTime() - Math.max(since, lastDeliveredNanos));
  }

  private long waitingEvents() {
    if (window == 1) {
      return busySinceNanos == 0 ? 0 : busyEvents;
    }
    synchronized (lock) {
      return pending.stream().mapToLong(j -> j.toSend.count()).sum();
    }
  }

  private void noteFailure(String reason) {
    if (context.metrics() instanceof StepCounters c) {
      c.lastFailure(reason);
    }
  }

  private void deliverNow(Batch batch) throws Exception {
    Batch toSend = batch; // after a partial outcome: only the entries still to send
    int attempt = 0;
    while (true) {
      Outcome o = new Outcome();
      try {
        output.send(toSend, o);
      } catch (PermanentFailure e) {
        o.rejected(e.getMessage());
      } catch (TaskStoppedException e) {
        throw e;
      } catch (Exception e) {
        o.failed(Tasks.message(e));
      }
      int result = o.await(context);
      if (result == Outcome.PARTLY) {
        String wrong = wrongParts(toSend, o.again, o.refused);
        if (wrong != null) {
          LOG.error("{}: {}; sending the {} events again", where, wrong, toSend.count());
          result = Outcome.FAILED;
          o.reason = wrong;
          context.metrics().errors(1);
        } else {
          context.metrics().errors(1);
          deadLetters.write(o.refused);
          countDelivered(toSend, o.again, o.refused, attempt);
          if (o.again == null) {
            return;
          }
          countAgain(o.again);
          toSend = o.again.entries();
          o.reason = o.again.reason();
        }
      } else if (result == Outcome.DELIVERED) {
        countDelivered(toSend, attempt);
        return;
      } else if (result == Outcome.REJECTED) {
        context.metrics().errors(1);
        deadLetters.write(toSend, "rejected: " + o.reason);
        return;
      } else {
        context.metrics().errors(1);
      }
      attempt++;
      noteFailure(o.reason);
      if (givingUp(attempt)) {
        deadLetters.write(toSend, "gave up after " + options.retryMaxTimes() + " retries: " + o.reason);
        return;
      }
      context.metrics().retries(1);
      Duration wait = backoff(attempt, o.retryAfter);
      LOG.warn("{}: {} events not delivered ({}); retry {} in {} ms", where, toSend.count(), o.reason, attempt,
          wait.toMillis());
      if (!context.sleep(wait)) {
        throw new TaskStoppedException();
      }
    }
  }

  /** Null when the parts of a partial outcome fit in what was sent; else what is wrong with them. */
  private static String wrongParts(Batch sent, Output.Part again, List<Output.Part> refused) {
    long n = again == null ? 0 : again.entries().count();
    for (Output.Part p : refused) {
      n += p.entries().count();
    }
    if (again != null && again.entries().isEmpty()) {
      return "the output said it would send an empty part again";
    }
    return n > sent.count() ? "the output accounted for " + n + " events of a batch of " + sent.count() : null;
  }

  /** Entries to be sent again, counted in all and by cause. */
  private void countAgain(Output.Part again) {
    context.metrics().count("entries_retried", again.entries().count());
    context.metrics().count("entries_retried." + DeadLetters.counterName(again.cause()), again.entries().count());
  }

  /** The part of {@code sent} that neither goes again nor to the dead-letter file is delivered. */
  private void countDelivered(Batch sent, Output.Part again, List<Output.Part> refused, int afterRetries) {
    long bytes = sent.length() - (again == null ? 0 : again.entries().length());
    for (Output.Part p : refused) {
      bytes -= p.entries().length();
    }
    long events = sent.count() - (again == null ? 0 : again.entries().count())
        - refused.stream().mapToLong(p -> p.entries().count()).sum();
    if (events > 0) {
      lastDeliveredNanos = System.nanoTime();
      context.metrics().bytesOut(Math.max(0, bytes));
    }
    if (again == null && afterRetries > 0) {
      LOG.info("{}: delivered the rest of {} events after {} retries", where, sent.count(), afterRetries);
    }
  }

  /**
   * The wait before retry {@code attempt}: the backoff, or the destination's own wait when it asked for a longer one
   * (Retry-After), bounded by retry_max_wait.
   */
  private Duration backoff(int attempt, Duration retryAfter) {
    Duration wait = policy.delay(attempt);
    if (retryAfter != null && retryAfter.compareTo(wait) > 0) {
      wait = retryAfter.compareTo(options.retryMaxWait()) > 0 ? options.retryMaxWait() : retryAfter;
    }
    return wait;
  }

  private boolean givingUp(int attempt) {
    return !options.forever() && attempt > options.retryMaxTimes();
  }

  private void countDelivered(Batch batch, int afterRetries) {
    lastDeliveredNanos = System.nanoTime();
    context.metrics().bytesOut(batch.length());
    if (afterRetries > 0) {
      LOG.info("{}: delivered {} events after {} retries", where, batch.count(), afterRetries);
    }
  }

  // ---- a larger window: the sender thread ----------------------------------------------------------

  /** A batch of a windowed output, from acceptance until delivered or dead-lettered. */
  private final class Job {
    static final int QUEUED = 0;
    static final int SENDING = 1;
    static final int LOST = 2;

    final Batch batch;
    /** What is left to send of {@link #batch}: all of it, or after a partial outcome the entries to send again. */
    Batch toSend;
    /** Some of its entries could not be written to the dead-letter file: never acknowledged (read again after a restart). */
    volatile boolean unwritten;
    final long acceptedNanos = System.nanoTime();
    int state = QUEUED;
    int attempts;
    String reason;
    /** Delivered (or dead-lettered) and the following steps done: both complete the upstream ack. */
    private final AtomicInteger parts = new AtomicInteger();
    final Ack followingStepsDone = () -> complete(2);

    Job(Batch batch) {
      this.batch = batch;
      this.toSend = batch;
    }

    void complete(int bit) {
      int before = parts.getAndUpdate(p -> p | bit);
      if (before != 3 && (before | bit) == 3) {
        batch.ack().done();
      }
    }
  }

  /** Queues a batch once the window has room; returns it with the ack that also waits for its delivery. */
  private Batch enqueue(Batch batch) {
    Job j = new Job(batch);
    synchronized (lock) {
      while (!pending.isEmpty() && (pending.size() >= window || pendingBytes + batch.length() > WINDOW_BYTES)) {
        if (context.stopping()) {
          throw new TaskStoppedException();
        }
        if (!sender.isAlive()) {
          throw new IllegalStateException("the sender thread of " + where + " ended");
        }
        waitLocked(100_000_000L);
      }
      pending.addLast(j);
      pendingBytes += batch.length();
      lock.notifyAll();
    }
    return batch.withAck(j.followingStepsDone);
  }

  private void sendLoop() {
    while (true) {
      Job j;
      Batch b;
      synchronized (lock) {
        while ((j = nextToSend()) == null) {
          if (closing) {
            return;
          }
          waitLocked(waitNanos());
        }
        if (j.state == Job.LOST) {
          probing = true;
          context.metrics().retries(1);
          LOG.debug("{}: sending {} events again ({})", where, j.toSend.count(), j.reason);
        }
        j.state = Job.SENDING;
        sending++;
        b = j.toSend;
      }
      Receipt r = new Receipt(j);
      try {
        output.send(b, r);
      } catch (PermanentFailure e) {
        r.rejected(e.getMessage());
      } catch (Throwable e) {
        r.failed(Tasks.message(e));
        if (e instanceof Error err) {
          throw err;
        }
      }
    }
  }

  /**
   * The next batch to send, or null: the oldest queued or lost one. A lost one goes once nothing else is
   * on its way and its backoff is over; a queued one while the window has room and no resend is on its way.
   */
  private Job nextToSend() {
    for (Job j : pending) {
      if (j.state == Job.LOST) {
        boolean stopped = closing && context.stopping(); // retries end with a stop; the input sends it again
        return !stopped && sending == 0 && System.nanoTime() - resendAtNanos >= 0 ? j : null;
      }
      if (j.state == Job.QUEUED) {
        return !probing && sending < window ? j : null;
      }
    }
    return null;
  }

  private long waitNanos() {
    for (Job j : pending) {
      if (j.state == Job.LOST && sending == 0) {
        return Math.max(1, resendAtNanos - System.nanoTime());
      }
    }
    return 100_000_000L;
  }

  private void waitLocked(long nanos) {
    try {
      lock.wait(Math.max(1, nanos / 1_000_000), 0);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TaskStoppedException();
    }
  }

  /** The receipt of one send of a job; the first outcome counts. */
  private final class Receipt implements Output.Receipt {
    private final Job job;
    private boolean settled;

    Receipt(Job job) {
      this.job = job;
    }

    @Override
    public void delivered() {
      boolean recovered;
      synchronized (lock) {
        if (!settle()) {
          return;
        }
        recovered = failures > 0;
        failures = 0;
        probing = false;
        finish(job);
      }
      countDelivered(job.toSend, recovered ? Math.max(1, job.attempts) : 0);
      if (!job.unwritten) {
        job.complete(1);
      }
    }

    @Override
    public void failed(String reason) {
      failed(reason, null);
    }

    @Override
    public void failed(String reason, Duration retryAfter) {
      boolean giveUp;
      synchronized (lock) {
        if (!settle()) {
          return;
        }
        context.metrics().errors(1);
        probing = false;
        giveUp = lost(reason, retryAfter);
      }
      if (giveUp) {
        deadLetter(job, "gave up after " + options.retryMaxTimes() + " retries: " + reason);
      }
    }

    /**
     * The job's entries still to send did not arrive: lost (sent again after the backoff), or given up on when
     * retries are exhausted (then finished; returns true). Under the lock.
     */
    private boolean lost(String reason, Duration retryAfter) {
      noteFailure(reason);
      job.attempts++;
      job.reason = reason;
      if (givingUp(job.attempts)) {
        finish(job);
        return true;
      }
      job.state = Job.LOST;
      boolean firstOfRound = resendAtNanos - System.nanoTime() <= 0;
      if (firstOfRound) { // one broken connection loses all it had on its way: one backoff step, not eight
        failures++;
        // the backoff follows the attempts of the batch that failed, as on the task thread: a batch given up on
        // does not make the next one start at a long wait
        Duration wait = backoff(job.attempts, retryAfter);
        resendAtNanos = System.nanoTime() + wait.toNanos();
        LOG.warn("{}: {} events not delivered ({}); retry {} in {} ms", where, job.toSend.count(), reason,
            job.attempts, wait.toMillis());
      }
      return false;
    }

    @Override
    public void partly(Output.Part again, List<Output.Part> refused) {
      String wrong = wrongParts(job.toSend, again, refused);
      if (wrong != null) {
        LOG.error("{}: {}; sending the {} events again", where, wrong, job.toSend.count());
        failed(wrong);
        return;
      }
      Batch sent;
      boolean done;
      boolean giveUp = false;
      boolean recovered = false;
      synchronized (lock) {
        if (!settle()) {
          return;
        }
        context.metrics().errors(1);
        probing = false;
        sent = job.toSend;
        done = again == null;
        if (done) {
          recovered = failures > 0;
          failures = 0;
          finish(job);
        } else {
          job.toSend = again.entries();
          giveUp = lost(again.reason(), null);
        }
      }
      countDelivered(sent, again, refused, recovered ? Math.max(1, job.attempts) : 0);
      if (!refused.isEmpty()) {
        try {
          deadLetters.write(refused);
        } catch (Exception e) {
          job.unwritten = true;
          LOG.error("{}: {} events could not be written to the dead-letter file: {}; not acknowledged, so the input "
              + "sends them again after a restart", where, refused.stream().mapToInt(p -> p.entries().count()).sum(),
              Tasks.message(e));
        }
      }
      if (again != null) {
        countAgain(again);
      }
      if (giveUp) {
        deadLetter(job, "gave up after " + options.retryMaxTimes() + " retries: " + again.reason());
      } else if (done && !job.unwritten) {
        job.complete(1);
      }
    }

    @Override
    public void rejected(String reason) {
      synchronized (lock) {
        if (!settle()) {
          return;
        }
        context.metrics().errors(1);
        probing = false;
        finish(job);
      }
      deadLetter(job, "rejected: " + reason);
    }

    /** Marks this send settled; false when it was already. Under the lock. */
    private boolean settle() {
      if (settled) {
        return false;
      }
      settled = true;
      sending--;
      lock.notifyAll();
      return true;
    }
  }

  /** The job is done with, one way or the other: its room in the window is free. Under the lock. */
  private void finish(Job j) {
    if (pending.remove(j)) {
      pendingBytes -= j.batch.length();
    }
    lock.notifyAll();
  }

  private void deadLetter(Job j, String why) {
    try {
      deadLetters.write(j.toSend, why);
      if (!j.unwritten) {
        j.complete(1);
      }
    } catch (Exception e) {
      // not written anywhere: stays unacknowledged, so the input sends it again after a restart
      LOG.error("{}: {} events could not be written to the dead-letter file: {}", where, j.toSend.count(),
          Tasks.message(e));
    }
  }

  /**
   * Waits a little for the batches on their way (lost ones are sent again unless the task is stopping),
   * then closes the output. What is still unsettled stays unacknowledged: the input sends it again at
   * the next start.
   */
  @Override
  public void close() throws Exception {
    if (sender != null) {
      long giveUp = System.nanoTime() + CLOSE_WAIT.toNanos();
      synchronized (lock) {
        closing = true;
        lock.notifyAll();
        while (!nothingMoreToDo() && System.nanoTime() - giveUp < 0) {
          waitLocked(Math.min(100_000_000L, giveUp - System.nanoTime()));
        }
        if (!pending.isEmpty()) {
          LOG.warn("{}: closing with {} events undelivered; not acknowledged, so the input sends them again", where,
              pending.stream().mapToInt(j -> j.toSend.count()).sum());
        }
      }
    }
    try {
      output.close(); // also fails a send stuck on a destination that does not read
    } finally {
      if (sender != null) {
        synchronized (lock) {
          pending.clear();
          pendingBytes = 0;
          lock.notifyAll();
        }
        sender.join(5000);
      }
    }
  }

  /** Closing: nothing on its way and nothing that will be sent (lost batches are not sent again once stopping). */
  private boolean nothingMoreToDo() {
    if (pending.isEmpty()) {
      return true;
    }
    if (sending > 0) {
      return false;
    }
    return context.stopping() && pending.stream().anyMatch(j -> j.state == Job.LOST);
  }

  /** The receipt of a send on the task thread, waited for there. */
  private static final class Outcome implements Output.Receipt {
    static final int WAITING = 0;
    static final int DELIVERED = 1;
    static final int FAILED = 2;
    static final int REJECTED = 3;
    static final int PARTLY = 4;
    private int result = WAITING;
    String reason;
    Output.Part again;
    List<Output.Part> refused = List.of();
    /** The destination's own wait before a retry, when it said one. */
    Duration retryAfter;

    @Override
    public synchronized void delivered() {
      settle(DELIVERED, null);
    }

    @Override
    public synchronized void failed(String why) {
      settle(FAILED, why);
    }

    @Override
    public synchronized void failed(String why, Duration after) {
      if (result == WAITING) {
        retryAfter = after;
      }
      settle(FAILED, why);
    }

    @Override
    public synchronized void rejected(String why) {
      settle(REJECTED, why);
    }

    @Override
    public synchronized void partly(Output.Part again, List<Output.Part> refused) {
      if (result == WAITING) {
        this.again = again;
        this.refused = List.copyOf(refused);
        settle(PARTLY, again != null ? again.reason() : null);
      }
    }

    private void settle(int r, String why) {
      if (result == WAITING) {
        result = r;
        reason = why;
        notifyAll();
      }
    }

    /** The outcome; a stop while waiting ends the wait (the batch stays unacknowledged). */
    synchronized int await(StepContext ctx) {
      while (result == WAITING) {
        if (ctx.stopping()) {
          throw new TaskStoppedException();
        }
        try {
          wait(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new TaskStoppedException();
        }
      }
      return result;
    }
  }
}
