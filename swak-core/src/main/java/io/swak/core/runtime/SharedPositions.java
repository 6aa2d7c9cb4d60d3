package io.swak.core.runtime;

import io.swak.core.config.AgentConfig;
import io.swak.core.config.StepConfig;
import io.swak.core.config.TaskConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Inputs of a config that would keep their positions in the same store: two tasks reading the same files
 * or table. Only one of them can run at a time (the store is locked by the first), so {@code swak validate}
 * and the start say so before it happens.
 */
public final class SharedPositions {

  private SharedPositions() { }

  /** One warning per store used by more than one task. */
  public static List<String> warnings(AgentConfig cfg, Path dataDir) {
    Map<Path, List<TaskConfig>> byStore = new LinkedHashMap<>();
    Map<Path, String> sources = new LinkedHashMap<>();
    for (TaskConfig t : cfg.tasks()) {
      if (t.steps().isEmpty()) {
        continue;
      }
      StepConfig in = t.steps().get(0);
      String source = in.positionSource();
      if (source == null) {
        continue;
      }
      Path store = StepRuntime.positionsDirectory(in, dataDir).toAbsolutePath().normalize();
      byStore.computeIfAbsent(store, s -> new ArrayList<>()).add(t);
      sources.put(store, source);
    }
    List<String> out = new ArrayList<>();
    byStore.forEach((store, tasks) -> {
      if (tasks.size() > 1) {
        out.add(String.join(" and ", tasks.stream().map(TaskConfig::label).toList()) + " read the same source ("
            + sources.get(store) + ") and would share its positions in " + store + ": only one of them can run; "
            + "give each its own position directory (pos_dir) if both should read it");
      }
    });
    return out;
  }
}
