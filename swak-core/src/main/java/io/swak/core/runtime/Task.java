package io.swak.core.runtime;

import io.swak.api.Batch;
import io.swak.api.Input;
import io.swak.api.Stage.Emitter;
import io.swak.api.Step;
import io.swak.core.config.StepConfig;
import io.swak.core.config.TaskConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running task: one thread that polls the input and runs each batch through the following steps.
 * A step that fails at start or throws out of the loop restarts the task after a backoff; a
 * processor that fails on a batch drops that batch with a counter and a log line; outputs retry.
 * Nothing here stops other tasks.
 */
public final class Task {

  private static final Logger LOG = LoggerFactory.getLogger("swak.task");
  static final Duration POLL_WAIT = Duration.ofMillis(200);

  private final TaskConfig config;
  private final Path dataDir;
  private final Clock clock;
  private final StopSignal stop = new StopSignal();
  private final List<StepCounters> counters = new ArrayList<>();
  private final RetryPolicy restartPolicy;
  private volatile Thread thread;
  private volatile String state = "created";
  /** The failure that made the task restart, until it runs again; null while it runs. */
  private volatile String lastError;
  /** How many times a failure restarted the task: bad input must never count here. */
  private final java.util.concurrent.atomic.AtomicInteger restarts = new java.util.concurrent.atomic.AtomicInteger();
  /** Completed when the task first ran, or first failed, or stopped: what {@code swak start} waits for. */
  private final java.util.concurrent.CompletableFuture<Void> firstOutcome = new java.util.concurrent.CompletableFuture<>();

  public Task(TaskConfig config, Path dataDir, Clock clock, RetryPolicy restartPolicy) {
    this.config = config;
    this.dataDir = dataDir;
    this.clock = clock;
    this.restartPolicy = restartPolicy;
    for (int i = 0; i < config.steps().size(); i++) {
      counters.add(new StepCounters());
    }
  }

  public TaskConfig config() {
    return config;
  }

  /** created, starting, running, restarting, stopping, stopped. */
  public String state() {
    return state;
  }

  /** Why the task is restarting, e.g. {@code task 2, step 1 (in.Forward) could not start: …}; null while it runs. */
  public String lastError() {
    return lastError;
  }

  /** How many times a step's failure restarted the task since it was made. */
  public int restarts() {
    return restarts.get();
  }

  /** Waits until the task ran, failed or stopped for the first time; false when that took longer than {@code max}. */
  public boolean awaitFirstOutcome(Duration max) throws InterruptedException {
    try {
      firstOutcome.get(Math.max(1, max.toMillis()), java.util.concurrent.TimeUnit.MILLISECONDS);
      return true;
    } catch (java.util.concurrent.TimeoutException e) {
      return false;
    } catch (java.util.concurrent.ExecutionException e) {
      return true;
    }
  }

  /** Counters of each step, in step order. */
  public List<StepCounters> counters() {
    return counters;
  }

  /** Starts the task on its own thread. */
  public void start() {
    Thread t = new Thread(this::run, "swak-" + config.label().replace(' ', '-'));
    thread = t;
    t.start();
  }

  /** Asks the task to stop; returns at once. */
  public void stop() {
    stop.raise();
  }

  /** Waits for the task thread to end; false if it did not within {@code timeout}. */
  public boolean join(Duration timeout) throws InterruptedException {
    Thread t = thread;
    if (t == null) {
      return true;
    }
    t.join(Math.max(1, timeout.toMillis()));
    return !t.isAlive();
  }

  /** Runs the task on the calling thread until it is stopped (for {@code swak test}). */
  public void run() {
    int attempt = 0;
    while (!stop.raised()) {
      try {
        state = attempt == 0 ? "starting" : "restarting";
        Input input = openInput();
        chain = new StepChain(config.label(), config.steps().subList(1, config.steps().size()),
            counters.subList(1, counters.size()), counters.get(0), dataDir, clock, stop);
        chain.open();
        state = "running";
        lastError = null;
        firstOutcome.complete(null);
        attempt = 0;
        loop(input, chain.head());
      } catch (TaskStoppedException e) {
        // stopping
      } catch (StepFailure f) {
        attempt++;
        restarts.incrementAndGet();
        Duration wait = restartPolicy.delay(attempt);
        lastError = f.getMessage();
        state = "restarting"; // also during the wait: the task is not running
        firstOutcome.complete(null);
        LOG.error("{}: {} — restarting the task in {} ms", f.where, Tasks.message(f.getCause()), wait.toMillis());
        LOG.debug("{}: failure detail", f.where, f.getCause());
        closeSteps();
        if (!stop.sleep(wait)) {
          break;
        }
        continue;
      }
      state = "stopping";
      closeSteps();
      break;
    }
    state = "stopped";
    firstOutcome.complete(null);
  }

  /** The input and its context while open; the steps after it. */
  private Input input;
  private StepRuntime inputContext;
  private StepChain chain;

  private Input openInput() {
    StepConfig sc = config.steps().get(0);
    try {
      Input in = (Input) sc.create();
      StepRuntime ctx = new StepRuntime(config.label(), sc, dataDir, clock, stop, counters.get(0));
      try {
        in.start(ctx);
      } catch (Exception e) {
        ctx.closeStores(); // a step that failed to start cleans up after itself; its stores are ours
        throw e;
      }
      input = in;
      inputContext = ctx;
      return in;
    } catch (TaskStoppedException e) {
      throw e;
    } catch (Exception e) {
      throw new StepFailure(sc.where() + " could not start", e);
    }
  }

  private void loop(Input input, Emitter chain) throws StepFailure {
    StepCounters first = counters.get(0);
    String where = config.steps().get(0).where();
    while (!stop.raised()) {
      Batch b;
      try {
        b = input.poll(POLL_WAIT);
      } catch (TaskStoppedException e) {
        throw e;
      } catch (Exception e) {
        throw stopping(e, where);
      }
      if (b == null) {
        continue;
      }
      first.eventsIn(b.count());
      if (LOG.isDebugEnabled() && !b.isEmpty()) {
        LOG.debug("{}: {} event{} read, tag {}", where, b.count(), b.count() == 1 ? "" : "s", b.tag());
      }
      try {
        chain.emit(b);
      } catch (TaskStoppedException | StepFailure e) {
        throw e;
      } catch (Exception e) {
        throw stopping(e, config.label());
      }
    }
  }

  /** A failure, unless the task is stopping: then it is the stop cutting a wait short. */
  private RuntimeException stopping(Exception e, String where) {
    return stop.raised() ? new TaskStoppedException() : new StepFailure(where, e);
  }

  /** Closes the stages in order, so buffers flush into outputs that are still open, then the input. */
  private void closeSteps() {
    if (chain != null) {
      chain.close();
      chain = null;
    }
    if (input != null) {
      closeQuietly(input, config.steps().get(0).where());
      inputContext.closeStores();
      input = null;
      inputContext = null;
    }
  }

  static void closeQuietly(Step s, String where) {
    try {
      s.close();
    } catch (TaskStoppedException e) {
      LOG.warn("{}: stopped before it finished closing", where);
    } catch (Exception e) {
      LOG.error("{}: error while closing: {}", where, Tasks.message(e));
    }
  }

  /** A failure attributed to a step. */
  static final class StepFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final String where;

    StepFailure(String where, Throwable cause) {
      // the cause in the message too: a buffer's flusher that catches this logs only the message
      super(where + ": " + Tasks.message(cause), cause);
      this.where = where;
    }
  }
}
