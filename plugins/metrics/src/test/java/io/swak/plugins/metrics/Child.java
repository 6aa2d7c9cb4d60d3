package io.swak.plugins.metrics;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A real process for the tests to watch, started by {@link Children}: {@code hold DIR N ID} keeps N files of DIR
 * open and a listening socket on 127.0.0.1 and prints its port; {@code burn ID} keeps a core busy. Both end when
 * their standard input closes (the test ends), so none outlives the test.
 */
public final class Child {

  public static void main(String[] args) throws Exception {
    List<AutoCloseable> held = new ArrayList<>();
    if (args[0].equals("hold")) {
      Path dir = Path.of(args[1]);
      int n = Integer.parseInt(args[2]);
      for (int i = 0; i < n; i++) {
        Path f = dir.resolve("held-" + i);
        Files.writeString(f, "x");
        held.add(new RandomAccessFile(f.toFile(), "r"));
      }
      ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      held.add(server);
      System.out.println(server.getLocalPort());
      System.out.flush();
    } else {
      Thread burner = new Thread(() -> {
        long x = 0;
        while (true) {
          x += System.nanoTime() % 7;
          if (x == 42) {
            System.out.print("");
          }
        }
      });
      burner.setDaemon(true);
      burner.start();
      System.out.println("burning");
      System.out.flush();
    }
    new BufferedReader(new InputStreamReader(System.in)).readLine(); // until the test closes our stdin
    for (AutoCloseable c : held) {
      c.close();
    }
    System.exit(0);
  }
}
