package io.swak.core.runtime;

import io.swak.core.config.AgentConfig;
import io.swak.core.config.TaskConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the tasks of a config, each on its own thread, stops them together, and swaps in a new config
 * on reload: only tasks whose steps changed are restarted.
 */
public final class Agent {

  private static final Logger LOG = LoggerFactory.getLogger("swak.agent");

  private final Path dataDir;
  private final Clock clock;
  private volatile AgentConfig config;
  private volatile List<Task> tasks;
  private boolean stopped;

  public Agent(AgentConfig config, Path dataDir, Clock clock) {
    this(config, dataDir, clock, config.tasks());
  }

  /** An agent running only {@code which} of the config's tasks. */
  public Agent(AgentConfig config, Path dataDir, Clock clock, List<TaskConfig> which) {
    this.config = config;
    this.dataDir = dataDir;
    this.clock = clock;
    List<Task> ts = new ArrayList<>();
    for (TaskConfig t : which) {
      ts.add(newTask(t));
    }
    this.tasks = List.copyOf(ts);
  }

  private Task newTask(TaskConfig t) {
    return new Task(t, dataDir, clock, RetryPolicy.DEFAULT);
  }

  /** The running tasks (a snapshot: a reload replaces the list). */
  public List<Task> tasks() {
    return tasks;
  }

  /** The config in force (the last one a reload accepted). */
  public AgentConfig config() {
    return config;
  }

  public synchronized void start() {
    for (Task t : tasks) {
      t.start();
    }
    LOG.info("started {} task{} from {}", tasks.size(), tasks.size() == 1 ? "" : "s", config.file());
  }

  /**
   * Stops every task and waits for them up to the config's shutdown timeout.
   *
   * @return true if all tasks stopped in time
   */
  public synchronized boolean stop() throws InterruptedException {
    stopped = true;
    return stopAll(tasks);
  }

  private boolean stopAll(List<Task> which) throws InterruptedException {
    for (Task t : which) {
      t.stop();
    }
    Duration timeout = config.agent().shutdownTimeout();
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean all = true;
    for (Task t : which) {
      Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
      if (!t.join(left)) {
        LOG.warn("{} did not stop within {} ms; unacknowledged data will be read again at the next start",
            t.config().label(), timeout.toMillis());
        all = false;
      }
    }
    return all;
  }

  /**
   * What a reload did, for the log and for tests; {@code restartNeeded}: the changed agent settings that only
   * a restart applies.
   */
  public record ReloadResult(int kept, int restarted, int removed, int added, List<String> restartNeeded) {
    @Override
    public String toString() {
      return kept + " unchanged, " + restarted + " restarted, " + removed + " removed, " + added + " added";
    }
  }

  /**
   * Switches to {@code next} (already loaded and validated): tasks whose name and steps are unchanged keep
   * running untouched; changed and removed tasks are stopped first (their close() flushes buffers and saves
   * checkpoints, so the replacement resumes where they stopped), then changed and new tasks start.
   */
  public synchronized ReloadResult reload(AgentConfig next) throws InterruptedException {
    if (stopped) {
      throw new IllegalStateException("the agent is stopping; not reloading");
    }
    ReloadPlan plan = ReloadPlan.of(tasks, config, next);
    for (Task t : plan.stop()) {
      LOG.info("reload: stopping {} ({})", t.config().label(), plan.replaced(t) ? "changed" : "removed");
    }
    stopAll(plan.stop());
    List<Task> now = new ArrayList<>(plan.keep());
    for (TaskConfig tc : plan.start()) {
      Task t = newTask(tc);
      t.start();
      now.add(t);
    }
    this.config = next;
    this.tasks = List.copyOf(now);
    ReloadResult r = plan.result();
    LOG.info("reloaded {}: {}", next.file(), r);
    return r;
  }
}
