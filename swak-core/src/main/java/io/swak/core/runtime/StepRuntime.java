package io.swak.core.runtime;

import io.swak.api.NestedStep;
import io.swak.api.Output;
import io.swak.api.Positions;
import io.swak.api.Step;
import io.swak.api.StepContext;
import io.swak.api.StepMetrics;
import io.swak.core.config.StepConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** The {@link StepContext} of one step of a running task (or of a step nested in one). */
final class StepRuntime implements StepContext {

  private final String taskName;
  private final String stepName;
  private final StepConfig step;
  private final Path dataDir;
  private final Clock clock;
  private final StopSignal stop;
  private final StepCounters counters;
  /** Position stores opened by the step, closed after it. */
  private final List<PositionStore> stores = new ArrayList<>();
  private int nested;
  /** The task's dead-letter file, for steps that give events up on purpose; made on first use. */
  private DeadLetters deadLetters;

  StepRuntime(String taskName, StepConfig step, Path dataDir, Clock clock, StopSignal stop, StepCounters counters) {
    this(taskName, step, step.name(), dataDir, clock, stop, counters);
  }

  /**
   * With the name the step goes by in messages and file names: a step of a route's branch is e.g.
   * {@code route.errors.buffer}, so two branches' buffers keep their chunks apart.
   */
  StepRuntime(String taskName, StepConfig step, String stepName, Path dataDir, Clock clock, StopSignal stop,
      StepCounters counters) {
    this.stepName = stepName;
    this.taskName = taskName;
    this.step = step;
    this.dataDir = dataDir;
    this.clock = clock;
    this.stop = stop;
    this.counters = counters;
  }

  @Override
  public String taskName() {
    return taskName;
  }

  @Override
  public String stepName() {
    return stepName;
  }

  @Override
  public Path dataDir() {
    return dataDir;
  }

  @Override
  public Clock clock() {
    return clock;
  }

  @Override
  public boolean stopping() {
    return stop.raised();
  }

  @Override
  public boolean sleep(Duration d) {
    return stop.sleep(d);
  }

  @Override
  public StepMetrics metrics() {
    return counters;
  }

  @Override
  public <S extends Step> S open(NestedStep spec, Class<S> type) throws Exception {
    if (!(spec instanceof StepConfig sc)) {
      throw new IllegalArgumentException("not a step of this configuration: " + spec);
    }
    Step s = sc.create();
    if (!type.isInstance(s)) {
      s.close();
      throw new IllegalArgumentException(sc.where() + ": `" + sc.name() + "` is not "
          + (type == Output.class ? "an output" : "a " + type.getSimpleName()) + " here");
    }
    nested++;
    StepCounters child = counters.child(sc.name() + " #" + nested);
    s.start(new StepRuntime(taskName, sc, dataDir, clock, stop, child));
    return type.cast(s instanceof Output o ? new CountedOutput(o, child) : s);
  }

  @Override
  public io.swak.api.Chain openChain(String label, List<? extends NestedStep> steps) throws Exception {
    List<StepConfig> configs = new ArrayList<>();
    for (NestedStep n : steps) {
      if (!(n instanceof StepConfig sc)) {
        throw new IllegalArgumentException("not a step of this configuration: " + n);
      }
      configs.add(sc);
    }
    StepCounters own = counters.child(label);
    List<StepCounters> each = new ArrayList<>();
    for (int i = 0; i < configs.size(); i++) {
      each.add(own.child((i + 1) + " " + configs.get(i).name()));
    }
    List<String> names = new ArrayList<>();
    for (int i = 0; i < configs.size(); i++) {
      String name = configs.get(i).name();
      boolean twice = configs.stream().filter(c -> c.name().equals(name)).count() > 1;
      names.add(stepName + "." + label + "." + name + (twice ? "-" + (i + 1) : ""));
    }
    StepChain chain = new StepChain(taskName, configs, each, own, dataDir, clock, stop, names);
    try {
      chain.open();
    } catch (RuntimeException e) {
      chain.close(); // the steps opened before the one that failed
      throw e;
    }
    return new io.swak.api.Chain() {
      @Override
      public void emit(io.swak.api.Batch batch) throws Exception {
        own.eventsIn(batch.count());
        chain.head().emit(batch);
      }

      @Override
      public void close() {
        chain.close();
      }
    };
  }

  @Override
  public synchronized void deadLetter(io.swak.api.Batch batch, String reason) throws IOException {
    if (deadLetters == null) {
      deadLetters = new DeadLetters(null, this, taskName + ": " + step.name());
    }
    deadLetters.write(batch, reason);
  }

  @Override
  public Positions positions() throws IOException {
    String source = step.positionSource();
    if (source == null) {
      throw new IllegalStateException(step.name() + " declares no position source (Plugin.positionSource)");
    }
    Path dir = positionsDirectory(step, dataDir);
    if (step.positionDirectory() == null) {
      adoptEarlierName(dir, step.name(), source);
    }
    return open(dir, source);
  }

  /** Where a step's positions are kept: the directory its options name, else one named after its source. */
  static Path positionsDirectory(StepConfig step, Path dataDir) {
    Path named = step.positionDirectory();
    return named != null ? named : dataDir.resolve("positions").resolve(directoryName(step.name(), step.positionSource()));
  }

  @Override
  public Positions positions(Path directory) throws IOException {
    return directory == null ? positions() : open(directory, step.positionSource());
  }

  private Positions open(Path dir, String source) throws IOException {
    PositionStore s = PositionStore.open(dir, source);
    s.start();
    stores.add(s);
    return s;
  }

  /**
   * {@code in.FileTail-3fa9c2d1e0b4a871}: the plugin and a 64-bit FNV-1a hash of what it reads, so any source makes
   * a file name. (Not SHA-256: the first MessageDigest of a JVM sets up the security providers, 20-50 ms of every
   * start.)
   */
  static String directoryName(String plugin, String source) {
    long h = 0xcbf29ce484222325L;
    for (byte b : source.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    return fileNamePrefix(plugin) + HexFormat.of().toHexDigits(h);
  }

  /** {@code in.FileTail-}: the plugin's name as a file name, before the hash. */
  private static String fileNamePrefix(String plugin) {
    return plugin.replaceAll("[^A-Za-z0-9._-]", "_") + "-";
  }

  /**
   * The store of {@code source} under the name an earlier build gave it (a 12-digit SHA-256 prefix), moved to
   * {@code dir}: found by its SOURCE file, so an upgrade keeps its positions.
   */
  private static void adoptEarlierName(Path dir, String plugin, String source) throws IOException {
    Path parent = dir.getParent();
    if (Files.exists(dir) || parent == null || !Files.isDirectory(parent)) {
      return;
    }
    String prefix = fileNamePrefix(plugin);
    try (var list = Files.newDirectoryStream(parent, p -> {
      String n = p.getFileName().toString();
      return n.startsWith(prefix) && n.length() == prefix.length() + 12;
    })) {
      for (Path old : list) {
        Path about = old.resolve("SOURCE");
        if (Files.isRegularFile(about) && Files.readString(about, StandardCharsets.UTF_8).equals(source + "\n")) {
          Files.move(old, dir);
          return;
        }
      }
    }
  }


  /** After the step closed: saves and releases its position stores. */
  void closeStores() {
    for (PositionStore s : stores) {
      s.close();
    }
    stores.clear();
  }
}
