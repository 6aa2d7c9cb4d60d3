package io.swak.core.runtime;

import io.swak.api.Output;
import io.swak.api.Processor;
import io.swak.api.Stage;
import io.swak.api.Stage.Emitter;
import io.swak.api.Step;
import io.swak.core.config.DeliveryOptions;
import io.swak.core.config.StepConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Steps after an input, opened and linked: a task's, or a chain nested in a step (a route's branch). Outputs go
 * behind {@link Delivery}, steps with a condition behind {@link ConditionalStage}; each step counts what it got and
 * passed on; a processor that fails on a batch drops that batch (counted), any other failure is the task's.
 */
final class StepChain {

  private static final Logger LOG = LoggerFactory.getLogger("swak.task");

  private final String taskLabel;
  private final List<StepConfig> configs;
  private final List<String> names;
  private final List<StepCounters> counters;
  /** Counts as passed on what enters the first step: the input's counters, or the chain's own. */
  private final StepCounters before;
  private final Path dataDir;
  private final Clock clock;
  private final StopSignal stop;
  private final List<Stage> stages = new ArrayList<>();
  private final List<StepRuntime> contexts = new ArrayList<>();
  private Emitter head;

  StepChain(String taskLabel, List<StepConfig> configs, List<StepCounters> counters, StepCounters before, Path dataDir,
      Clock clock, StopSignal stop) {
    this(taskLabel, configs, counters, before, dataDir, clock, stop, topLevelNames(configs));
  }

  /**
   * The names of a task's steps after its input: a step's plugin name, and for the second and later steps of the same
   * plugin {@code -<position in the task>} as well (the input is 1), so that two buffers of one task keep their chunks
   * in directories of their own. The first keeps the plain name, and with it the files it kept before.
   */
  static List<String> topLevelNames(List<StepConfig> configs) {
    List<String> names = new ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < configs.size(); i++) {
      String name = configs.get(i).name();
      names.add(seen.add(name) ? name : name + "-" + (i + 2));
    }
    return names;
  }

  /** With the names the steps go by ({@link io.swak.api.StepContext#stepName}): a branch's are prefixed with the route's. */
  StepChain(String taskLabel, List<StepConfig> configs, List<StepCounters> counters, StepCounters before, Path dataDir,
      Clock clock, StopSignal stop, List<String> names) {
    this.names = names;
    if (configs.size() != counters.size()) {
      throw new IllegalArgumentException(configs.size() + " steps, " + counters.size() + " counters");
    }
    this.taskLabel = taskLabel;
    this.configs = configs;
    this.counters = counters;
    this.before = before;
    this.dataDir = dataDir;
    this.clock = clock;
    this.stop = stop;
  }

  /** Creates and starts every step; a step that cannot start is a StepFailure (the caller then closes this). */
  void open() {
    for (int i = 0; i < configs.size(); i++) {
      StepConfig sc = configs.get(i);
      Step s;
      try {
        s = sc.create();
        if (s instanceof Output o) {
          s = new Delivery(o, sc.where(), sc.delivery());
        } else if (!sc.delivery().equals(DeliveryOptions.defaults())) {
          LOG.warn("{}: retry and dead-letter options apply to outputs only and are ignored here (what this step "
              + "fails is retried by a buffer before it, or the task restarts)", sc.where());
        }
        if (!(s instanceof Stage)) {
          s.close();
          throw new IllegalArgumentException("`" + sc.name() + "` cannot stand after the input");
        }
        StepRuntime ctx = new StepRuntime(taskLabel, sc, names.get(i), dataDir, clock, stop, counters.get(i));
        try {
          s.start(ctx);
        } catch (Exception e) {
          ctx.closeStores(); // a step that failed to start cleans up after itself; its stores are ours
          throw e;
        }
        contexts.add(ctx);
      } catch (TaskStoppedException e) {
        throw e;
      } catch (Exception e) {
        throw new Task.StepFailure(sc.where() + " could not start", e);
      }
      Stage stage = (Stage) s;
      if (sc.condition() != null) {
        stage = new ConditionalStage(stage, sc.condition(), counters.get(i), sc.where());
      }
      stages.add(stage);
    }
    head = link();
  }

  /** Where batches enter the chain. */
  Emitter head() {
    return head;
  }

  private Emitter link() {
    int n = stages.size();
    Emitter[] emitters = new Emitter[n + 1];
    StepCounters last = n == 0 ? before : counters.get(n - 1);
    emitters[n] = b -> {
      last.eventsOut(b.count());
      b.ack().done();
    };
    for (int i = n - 1; i >= 0; i--) {
      Stage stage = stages.get(i);
      Emitter next = emitters[i + 1];
      StepCounters prev = i == 0 ? before : counters.get(i - 1);
      StepCounters mine = counters.get(i);
      StepConfig sc = configs.get(i);
      Stage plain = stage instanceof ConditionalStage c ? c.inner() : stage;
      stage.connect(next);
      emitters[i] = b -> {
        prev.eventsOut(b.count());
        mine.eventsIn(b.count());
        if (LOG.isDebugEnabled()) { // swak test, -v: what each step gets
          LOG.debug("{}: {} event{} in", sc.where(), b.count(), b.count() == 1 ? "" : "s");
        }
        try {
          stage.accept(b, next);
        } catch (TaskStoppedException | Task.StepFailure e) {
          throw e;
        } catch (Exception e) {
          if (stop.raised()) {
            throw new TaskStoppedException(); // a wait cut short by the stop, not a failure
          }
          if (plain instanceof Processor) {
            // a batch a processor cannot handle must not block the task forever: count, log, move on
            mine.errors(1);
            mine.dropped(b.count());
            LOG.error("{}: dropped {} events: {}", sc.where(), b.count(), Tasks.message(e));
            b.ack().done();
          } else {
            throw new Task.StepFailure(sc.where(), e);
          }
        }
      };
    }
    return emitters[0];
  }

  /** Closes the steps in order, so buffers flush into outputs that are still open. */
  void close() {
    for (int i = 0; i < stages.size(); i++) {
      Task.closeQuietly(stages.get(i), configs.get(i).where());
      contexts.get(i).closeStores();
    }
    stages.clear();
    contexts.clear();
  }
}
