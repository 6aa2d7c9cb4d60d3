package io.swak.plugins.filetail;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The writer process of the torture tests: appends numbered lines ({@code g=<generation> n=<seq> …}) as
 * fast as it can through an 8 KiB buffer (so lines reach the file cut at arbitrary bytes) and rotates
 * its file the way logging libraries and logrotate do.
 *
 * <ul>
 *   <li>{@code rename PATH ROUNDS LINES}: after each round the file is renamed to PATH.N, a few more
 *       lines still go to the renamed file (as a logger does until it reopens), then PATH is created anew.</li>
 *   <li>{@code copytruncate PATH ROUNDS LINES}: after each round prints {@code sync <lines so far>}, waits
 *       for a line on stdin, copies PATH to PATH.N and truncates PATH, while keeping its O_APPEND handle.</li>
 *   <li>{@code files DIR COUNT LINES}: creates COUNT new files DIR/new-N.log one after another.</li>
 *   <li>{@code append PATH LINES START}: appends LINES numbered lines starting at START, flushing often.</li>
 * </ul>
 * Prints {@code done <total lines>} at the end.
 */
public final class TailWriter {

  private TailWriter() { }

  public static void main(String[] args) throws IOException {
    String mode = args[0];
    Path path = Path.of(args[1]);
    int rounds = Integer.parseInt(args[2]);
    int lines = Integer.parseInt(args[3]);
    long seq = 0;
    BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    switch (mode) {
      case "rename" -> {
        Writer w = open(path);
        for (int g = 0; g < rounds; g++) {
          seq = write(w, g, seq, lines);
          w.flush();
          Files.move(path, Path.of(path + "." + g), StandardCopyOption.ATOMIC_MOVE);
          seq = write(w, g, seq, 10); // late lines into the renamed file
          w.close();
          w = open(path);
        }
        seq = write(w, rounds, seq, lines);
        w.close();
      }
      case "copytruncate" -> {
        Writer w = open(path);
        for (int g = 0; g < rounds; g++) {
          seq = write(w, g, seq, lines);
          w.flush();
          System.out.println("sync " + seq);
          System.out.flush();
          if (stdin.readLine() == null) {
            return;
          }
          Files.copy(path, Path.of(path + "." + g), StandardCopyOption.REPLACE_EXISTING);
          try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
            ch.truncate(0);
          }
        }
        seq = write(w, rounds, seq, lines);
        w.close();
      }
      case "files" -> {
        for (int i = 0; i < rounds; i++) {
          try (Writer w = open(path.resolve("new-" + i + ".log"))) {
            seq = write(w, i, seq, lines);
          }
        }
      }
      case "append" -> {
        seq = Long.parseLong(args[4]);
        try (Writer w = open(path)) {
          for (int i = 0; i < lines; i++) {
            seq = write(w, 0, seq, 1);
            if (i % 50 == 0) {
              w.flush();
            }
          }
        }
      }
      default -> throw new IllegalArgumentException(mode);
    }
    System.out.println("done " + seq);
    System.out.flush();
  }

  private static Writer open(Path p) throws IOException {
    return new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(p, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.APPEND), StandardCharsets.UTF_8), 8192);
  }

  private static long write(Writer w, int gen, long seq, int count) throws IOException {
    for (int i = 0; i < count; i++) {
      w.write("g=" + gen + " n=" + seq++ + " the quick brown fox jumps over the lazy dog 0123456789\n");
    }
    return seq;
  }
}
