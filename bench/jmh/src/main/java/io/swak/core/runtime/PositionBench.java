package io.swak.core.runtime;

import io.swak.api.AckWindow;
import io.swak.api.Positions;
import io.swak.bench.HotPathBench;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The runtime's position store, in microseconds. {@code ackBatch} is what an input pays per batch: a window
 * entry added and completed, the store told. {@code saveRound} is one round of the saver thread with
 * {@code changed} positions changed since the last (one append and one fdatasync for all of them): its
 * cost is the disk's, once a second, never per batch.
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PositionBench extends HotPathBench {

  @Param({"1", "500"})
  int changed;

  Path dir;
  PositionStore store;
  List<AckWindow> windows = new ArrayList<>();
  List<Positions.Position> positions = new ArrayList<>();
  long position;

  @Setup
  public void setup() throws IOException {
    dir = Files.createTempDirectory("swak-position-bench");
    store = PositionStore.open(dir, "bench"); // not started: the benchmark plays the saver thread
    for (int i = 0; i < changed; i++) {
      Positions.Position[] p = new Positions.Position[1];
      AckWindow w = new AckWindow(0, () -> p[0].changed());
      p[0] = store.track("803-" + Integer.toHexString(0x1234567 + i), () -> "offset=" + w.committed()
          + "\nfingerprint=1024:abcdef12\npath=/var/log/app/file-" + w + ".log\n");
      windows.add(w);
      positions.add(p[0]);
    }
  }

  @TearDown
  public void tearDown() throws IOException {
    store.close();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  @Benchmark
  public long ackBatch() {
    position += 256 * 1024;
    AckWindow w = windows.get(0);
    w.add(position).done();
    return w.committed();
  }

  @Benchmark
  public int saveRound() {
    position += 256 * 1024;
    for (AckWindow w : windows) {
      w.add(position).done();
    }
    return store.saveRound(true);
  }
}
