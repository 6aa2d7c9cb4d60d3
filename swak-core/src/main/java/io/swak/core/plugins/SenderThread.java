package io.swak.core.plugins;

import io.swak.api.Batch;
import io.swak.api.WindowedOutput.Receipt;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The thread of a {@link io.swak.api.WindowedOutput} that writes its batches, in the order they were
 * handed over, while the task reads and packs the next ones, so the task's work and the output's (for
 * out.Fluentd, the kernel's share of a socket write) run side by side when a core is free. How many batches
 * wait is bounded by the runtime's window. A batch whose write throws, or that is still waiting when the
 * output closes, has its receipt say lost, and the runtime writes it again (or, closing, leaves it
 * unacknowledged so the input sends it again at the next start).
 *
 * <p>Order survives a failure: once a batch is lost — its write threw, or later its receipt said lost
 * (a server's acks stopped, the connection broke) — every batch behind it says lost too, without being
 * written, until the output's synchronous write succeeds again ({@link #resume}). The runtime writes what
 * was lost again, in order, before it sends anything new, so a later batch never overtakes one that failed.
 */
public final class SenderThread {

  /** Writes one batch on the sender thread and confirms its receipt (now, or later as the output's own acks come). */
  public interface Writer {
    void write(Batch batch, Receipt receipt) throws Exception;
  }

  private final ThreadPoolExecutor executor;
  private final Writer writer;
  /** Why the last batch was lost, while batches behind it are to be given back; null when writing. */
  private volatile String failed;

  /** A daemon thread named {@code name}, started with the first batch, writing with {@code writer}. */
  public SenderThread(String name, Writer writer) {
    this.writer = writer;
    this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    });
  }

  /** Hands a batch over; throws (RejectedExecutionException) once closed. */
  public void submit(Batch batch, Receipt receipt) {
    executor.execute(new Job(batch, receipt));
  }

  /** A synchronous write of the output went through: batches handed over are written again. */
  public void resume() {
    failed = null;
  }

  /** A batch handed over; as the receipt the writer gets, a loss it reports (now or later) stops the line too. */
  private final class Job implements Runnable, Receipt {
    final Batch batch;
    final Receipt receipt;

    Job(Batch batch, Receipt receipt) {
      this.batch = batch;
      this.receipt = receipt;
    }

    @Override
    public void run() {
      String earlier = failed;
      if (earlier != null) {
        receipt.lost("not sent after an earlier batch failed (" + earlier + ")");
        return;
      }
      try {
        writer.write(batch, this);
      } catch (Throwable e) {
        lost(e.getMessage() != null ? e.getMessage() : e.toString());
        if (e instanceof Error err) {
          throw err;
        }
      }
    }

    @Override
    public void confirmed() {
      receipt.confirmed();
    }

    /** The runtime's receipt settles once: a second loss (the write failing after the reader said so) is ignored. */
    @Override
    public void lost(String why) {
      failed = why;
      receipt.lost(why);
    }
  }

  /**
   * Stops taking batches; those still waiting say lost. If a write is still going, {@code unblock}
   * (when not null) runs to make it fail — a socket closed under a write stuck on a server that stopped
   * reading — and the thread gets up to 5 s to end. The thread is not interrupted: an interrupt would
   * close a FileChannel it happened to be writing.
   */
  public void close(Runnable unblock) {
    List<Runnable> waiting = new ArrayList<>();
    executor.getQueue().drainTo(waiting);
    executor.shutdown();
    for (Runnable r : waiting) {
      ((Job) r).receipt.lost("the output closed");
    }
    try {
      if (!executor.awaitTermination(10, TimeUnit.MILLISECONDS) && unblock != null) {
        unblock.run();
      }
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
