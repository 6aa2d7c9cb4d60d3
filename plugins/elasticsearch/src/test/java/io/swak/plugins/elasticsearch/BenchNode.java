package io.swak.plugins.elasticsearch;

import java.nio.file.Files;
import java.nio.file.Path;
import org.opensearch.common.settings.Settings;

/**
 * A real OpenSearch node as a process of its own, for bench/es-bulk.sh: {@code BenchNode HTTP_PORT DIR} starts it
 * on 127.0.0.1:HTTP_PORT with its data in DIR, prints "ready", and runs until killed.
 */
public final class BenchNode {

  private BenchNode() { }

  public static void main(String[] args) throws Exception {
    Path home = Files.createDirectories(Path.of(args[1]));
    OpenSearchNode node = OpenSearchNode.start(home, true, Settings.builder().put("http.port", args[0]).build());
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        node.close();
      } catch (Exception e) {
        // exiting
      }
    }));
    System.out.println("ready " + node.httpUrl());
    System.out.flush();
    Thread.currentThread().join();
  }
}
