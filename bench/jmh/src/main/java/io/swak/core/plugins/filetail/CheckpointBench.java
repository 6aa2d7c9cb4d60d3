package io.swak.core.plugins.filetail;

import io.swak.api.AckWindow;
import io.swak.bench.HotPathBench;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * in.FileTail's checkpoints, in microseconds. {@code ackBatch} is what the task pays per batch: a
 * window entry added, the saver told, the ack completed. {@code saveOne} is one checkpoint written the
 * way the saver thread does it (temp file, fsync, rename, directory fsync): its cost is the disk's,
 * which is why it runs on its own thread at most ten times a second per file, never per batch.
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CheckpointBench extends HotPathBench {

  Path dir;
  Checkpoints checkpoints;
  AckWindow window;
  Checkpoints.Entry entry;
  long position;

  @Setup
  public void setup() throws IOException {
    dir = Files.createTempDirectory("swak-checkpoint-bench");
    checkpoints = new Checkpoints(dir, 1_000_000_000L); // not started: the benchmark plays the saver thread
    checkpoints.open();
    window = new AckWindow(0);
    entry = checkpoints.track(new FileIdentity("803-1234567"), window, Fingerprint.EMPTY, "/var/log/app.log", -1);
  }

  @TearDown
  public void tearDown() throws IOException {
    checkpoints.close();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  @Benchmark
  public long ackBatch() {
    position += 256 * 1024;
    window.add(position).done();
    checkpoints.touch(entry);
    return window.committed();
  }

  @Benchmark
  public int saveOne() {
    position += 256 * 1024;
    window.add(position).done();
    checkpoints.touch(entry);
    return checkpoints.saveChanged(Long.MAX_VALUE, false);
  }
}
