package io.swak.core.runtime;

import io.swak.core.config.AgentConfig;
import io.swak.core.config.AgentOptions;
import io.swak.core.config.StepConfig;
import io.swak.core.config.TaskConfig;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What changed between the running config and the next one: which tasks keep running untouched, which
 * are stopped (changed or removed) and which start (changed or new), and which agent settings changed
 * that only a restart applies.
 */
public final class ReloadPlan {

  private final List<Task> keep;
  private final List<Task> stop;
  private final List<Task> replaced;
  private final List<TaskConfig> start;
  private final List<String> restartNeeded;

  private ReloadPlan(List<Task> keep, List<Task> stop, List<Task> replaced, List<TaskConfig> start,
      List<String> restartNeeded) {
    this.keep = keep;
    this.stop = stop;
    this.replaced = replaced;
    this.start = start;
    this.restartNeeded = restartNeeded;
  }

  /** Compares the tasks running under {@code was} with the tasks of {@code next}. */
  public static ReloadPlan of(List<Task> running, AgentConfig was, AgentConfig next) {
    List<Task> old = new ArrayList<>(running);
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
    List<Task> replaced = new ArrayList<>();
    for (Task t : old) {
      if (fresh.stream().anyMatch(f -> f.name().equals(t.config().name())
          && (!f.name().isEmpty() || f.number() == t.config().number()))) {
        replaced.add(t);
      }
    }
    return new ReloadPlan(List.copyOf(keep), List.copyOf(old), List.copyOf(replaced), List.copyOf(fresh),
        agentChanges(was.agent(), next.agent()));
  }

  /** Tasks that keep running untouched. */
  public List<Task> keep() {
    return keep;
  }

  /** Tasks to stop first: changed or removed. */
  public List<Task> stop() {
    return stop;
  }

  /** True when a stopped task has a successor among the tasks that start (it changed). */
  public boolean replaced(Task t) {
    return replaced.contains(t);
  }

  /** Tasks to start after the stopped ones ended: changed and new. */
  public List<TaskConfig> start() {
    return start;
  }

  /**
   * The agent settings that changed and take effect only at the next restart, e.g.
   * {@code agent.http changed; it takes effect at the next restart}.
   */
  public List<String> restartNeeded() {
    return restartNeeded;
  }

  public Agent.ReloadResult result() {
    int restarted = replaced.size();
    return new Agent.ReloadResult(keep.size(), restarted, stop.size() - restarted, start.size() - restarted,
        restartNeeded);
  }

  private static List<String> agentChanges(AgentOptions was, AgentOptions now) {
    List<String> out = new ArrayList<>();
    for (Object[] c : new Object[][] {
        {"data_dir", was.dataDir(), now.dataDir()},
        {"log_file", was.logFile(), now.logFile()},
        {"pid_file", was.pidFile(), now.pidFile()},
        {"http", was.http(), now.http()}}) {
      if (!Objects.equals(String.valueOf(c[1]), String.valueOf(c[2]))) {
        out.add("agent." + c[0] + " changed; it takes effect at the next restart");
      }
    }
    return List.copyOf(out);
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
   * Same plugin, options, delivery options and condition. Not {@code where}: it names the step's place for messages
   * (also of steps nested in failover), and a task that moved in the file is still the same task.
   */
  private static boolean sameStep(StepConfig x, StepConfig y) {
    return x.name().equals(y.name()) && sameValue(x.options(), y.options()) && sameValue(x.delivery(), y.delivery())
        && Objects.equals(x.condition(), y.condition());
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
