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

/** Runs the tasks of a config, each on its own thread, and stops them together. */
public final class Agent {

  private static final Logger LOG = LoggerFactory.getLogger("swak.agent");

  private final AgentConfig config;
  private final List<Task> tasks = new ArrayList<>();

  public Agent(AgentConfig config, Path dataDir, Clock clock) {
    this(config, dataDir, clock, config.tasks());
  }

  /** An agent running only {@code which} of the config's tasks. */
  public Agent(AgentConfig config, Path dataDir, Clock clock, List<TaskConfig> which) {
    this.config = config;
    for (TaskConfig t : which) {
      tasks.add(new Task(t, dataDir, clock, RetryPolicy.DEFAULT));
    }
  }

  public List<Task> tasks() {
    return tasks;
  }

  public void start() {
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
  public boolean stop() throws InterruptedException {
    for (Task t : tasks) {
      t.stop();
    }
    Duration timeout = config.agent().shutdownTimeout();
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean all = true;
    for (Task t : tasks) {
      Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
      if (!t.join(left)) {
        LOG.warn("{} did not stop within {} ms; unacknowledged data will be read again at the next start",
            t.config().label(), timeout.toMillis());
        all = false;
      }
    }
    return all;
  }
}
