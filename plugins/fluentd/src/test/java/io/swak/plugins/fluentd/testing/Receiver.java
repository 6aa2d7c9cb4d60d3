package io.swak.plugins.fluentd.testing;

import io.swak.api.Batch;
import io.swak.api.Input;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Plays the task thread for a server under test: polls it, keeps every batch, and acknowledges it. */
public final class Receiver implements AutoCloseable {

  private final Input input;
  private final List<Batch> batches = new ArrayList<>();
  private final Thread thread;
  private volatile boolean stop;

  public Receiver(Input input) {
    this.input = input;
    thread = new Thread(this::run, "test-receiver");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    while (!stop) {
      try {
        Batch b = input.poll(Duration.ofMillis(50));
        if (b != null && !b.isEmpty()) {
          synchronized (batches) {
            batches.add(b);
            batches.notifyAll();
          }
          b.ack().done();
        }
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** Waits until at least {@code events} events arrived (10 s at most) and returns (and forgets) the batches. */
  public List<Batch> take(int events) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    synchronized (batches) {
      while (batches.stream().mapToInt(Batch::count).sum() < events) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("only " + batches.stream().mapToInt(Batch::count).sum() + " of " + events
              + " events arrived");
        }
        batches.wait(Math.max(1, left / 1_000_000));
      }
      List<Batch> out = new ArrayList<>(batches);
      batches.clear();
      return out;
    }
  }

  public int received() {
    synchronized (batches) {
      return batches.stream().mapToInt(Batch::count).sum();
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop = true;
    thread.join(5000);
  }
}
