package io.swak.dist;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.LockSupport;

/**
 * Appends numbered lines ({@code n=<seq> …}) to a file at a steady pace until its stdin closes, then
 * prints {@code done <lines>}. The writer process of the crash test.
 */
public final class CrashWriter {

  private CrashWriter() { }

  public static void main(String[] args) throws IOException {
    Path path = Path.of(args[0]);
    int perBurst = Integer.parseInt(args[1]);
    Thread stdinWatcher = new Thread(() -> {
      try {
        while (System.in.read() >= 0) {
          // wait for end of input
        }
      } catch (IOException e) {
        // treat as closed
      }
    });
    stdinWatcher.setDaemon(true);
    stdinWatcher.start();
    long seq = 0;
    try (OutputStream out = Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      StringBuilder sb = new StringBuilder();
      while (stdinWatcher.isAlive()) {
        sb.setLength(0);
        for (int i = 0; i < perBurst; i++) {
          sb.append("n=").append(seq++).append(" payload that makes the line about a hundred bytes long ")
              .append("abcdefghijklmnopqrstuvwxyz\n");
        }
        out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
        LockSupport.parkNanos(10_000_000L); // pacing of the writer, not synchronisation of the test
      }
    }
    System.out.println("done " + seq);
    System.out.flush();
  }
}
