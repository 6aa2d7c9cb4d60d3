package io.swak.core.runtime;

import io.swak.core.config.AgentConfig;
import io.swak.core.config.StepConfig;
import io.swak.core.config.TaskConfig;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
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

  /** What a reload did, for the log and for tests. */
  public record ReloadResult(int kept, int restarted, int removed, int added) {
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
    List<Task> old = new ArrayList<>(tasks);
    List<Task> keep = new ArrayList<>();
    List<TaskConfig> fresh = new ArrayList<>();
    for (TaskConfig tc : next.tasks()) {
      Task same = null;
      for (Task t : old) {
        if (sameTask(t.config(), tc)) {
          same = t;
          break;
        }
      }
      if (same != null) {
        old.remove(same);
        keep.add(same);
      } else {
        fresh.add(tc);
      }
    }
    // What is left in `old` was changed or removed; a changed task has a same-named successor in `fresh`.
    int restarted = 0;
    for (Task t : old) {
      boolean replaced = fresh.stream().anyMatch(f -> f.name().equals(t.config().name())
          && (!f.name().isEmpty() || f.number() == t.config().number()));
      if (replaced) {
        restarted++;
      }
      LOG.info("reload: stopping {} ({})", t.config().label(), replaced ? "changed" : "removed");
    }
    stopAll(old);
    List<Task> now = new ArrayList<>(keep);
    for (TaskConfig tc : fresh) {
      Task t = newTask(tc);
      t.start();
      now.add(t);
    }
    this.config = next;
    this.tasks = List.copyOf(now);
    ReloadResult r = new ReloadResult(keep.size(), restarted, old.size() - restarted, fresh.size() - restarted);
    LOG.info("reloaded {}: {}", next.file(), r);
    return r;
  }

  /** Same name and the same steps with equal options, wherever they stand in the file. */
  static boolean sameTask(TaskConfig a, TaskConfig b) {
    if (!a.name().equals(b.name()) || a.steps().size() != b.steps().size()) {
      return false;
    }
    for (int i = 0; i < a.steps().size(); i++) {
      if (!sameStep(a.steps().get(i), b.steps().get(i))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Same plugin, options and delivery options. Not {@code where}: it names the step's place for messages
   * (also of steps nested in failover), and a task that moved in the file is still the same task.
   */
  private static boolean sameStep(StepConfig x, StepConfig y) {
    return x.name().equals(y.name()) && sameValue(x.options(), y.options()) && sameValue(x.delivery(), y.delivery());
  }

  /** Deep equality of option values; Pattern has no equals of its own. */
  static boolean sameValue(Object a, Object b) {
    if (a == b) {
      return true;
    }
    if (a == null || b == null || a.getClass() != b.getClass()) {
      return false;
    }
    if (a instanceof Pattern p) {
      Pattern q = (Pattern) b;
      return p.pattern().equals(q.pattern()) && p.flags() == q.flags();
    }
    if (a instanceof StepConfig x) {
      return sameStep(x, (StepConfig) b);
    }
    if (a instanceof Record) {
      try {
        for (RecordComponent rc : a.getClass().getRecordComponents()) {
          rc.getAccessor().setAccessible(true);
          if (!sameValue(rc.getAccessor().invoke(a), rc.getAccessor().invoke(b))) {
            return false;
          }
        }
        return true;
      } catch (ReflectiveOperationException | RuntimeException e) {
        return a.equals(b);
      }
    }
    if (a instanceof List<?> l) {
      List<?> m = (List<?>) b;
      if (l.size() != m.size()) {
        return false;
      }
      for (int i = 0; i < l.size(); i++) {
        if (!sameValue(l.get(i), m.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (a instanceof Map<?, ?> x) {
      Map<?, ?> y = (Map<?, ?>) b;
      if (!x.keySet().equals(y.keySet())) {
        return false;
      }
      for (Map.Entry<?, ?> e : x.entrySet()) {
        if (!sameValue(e.getValue(), y.get(e.getKey()))) {
          return false;
        }
      }
      return true;
    }
    return Objects.equals(a, b);
  }
}
