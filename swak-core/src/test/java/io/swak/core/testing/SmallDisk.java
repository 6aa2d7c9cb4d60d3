package io.swak.core.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real small file system (tmpfs) mounted for a test, so "disk full" is the kernel's ENOSPC and not a
 * simulation: {@link #fill} takes every free byte, {@link #free} gives them back. Mounting needs root (or
 * CAP_SYS_ADMIN); where it is refused the test is skipped with that reason.
 */
public final class SmallDisk implements AutoCloseable {

  private final Path dir;
  private final Path filler;

  private SmallDisk(Path dir) {
    this.dir = dir;
    this.filler = dir.resolve(".filler");
  }

  /** Mounts a tmpfs of {@code kib} KiB at a new directory under {@code parent}. */
  public static SmallDisk mount(Path parent, int kib) throws IOException, InterruptedException {
    Path dir = Files.createDirectories(parent.resolve("small-disk"));
    Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + kib + "k", "tmpfs", dir.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    boolean done = p.waitFor(10, TimeUnit.SECONDS);
    assumeTrue(done && p.exitValue() == 0, "cannot mount a small tmpfs for a disk-full test here: " + out.strip());
    return new SmallDisk(dir);
  }

  public Path dir() {
    return dir;
  }

  /** Writes a file until the file system is full. */
  public void fill() throws IOException {
    fill(0);
  }

  /** Takes all free space but about {@code leave} bytes. */
  public void fill(long leave) throws IOException {
    byte[] block = new byte[4096];
    try (OutputStream o = Files.newOutputStream(filler)) {
      while (true) {
        o.write(block);
      }
    } catch (IOException full) {
      // ENOSPC: every block is taken now
    }
    if (leave > 0) {
      try (var ch = java.nio.channels.FileChannel.open(filler, java.nio.file.StandardOpenOption.WRITE)) {
        ch.truncate(Math.max(0, ch.size() - leave));
      }
    }
  }

  /** Frees what {@link #fill} took. */
  public void free() throws IOException {
    Files.deleteIfExists(filler);
  }

  @Override
  public void close() throws Exception {
    new ProcessBuilder("umount", "-l", dir.toString()).redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
  }
}
