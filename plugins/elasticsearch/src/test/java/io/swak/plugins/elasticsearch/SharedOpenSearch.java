package io.swak.plugins.elasticsearch;

/**
 * One real OpenSearch 2.19 node (inside the test JVM, on 127.0.0.1) for every test class of the module: a start
 * costs several seconds. Started on first use, stopped when the test JVM exits; each test writes indices of its own.
 */
final class SharedOpenSearch {

  private static OpenSearchNode node;

  private SharedOpenSearch() { }

  static synchronized OpenSearchNode node() {
    if (node == null) {
      OpenSearchNode n = OpenSearchNode.start();
      node = n;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          n.close();
        } catch (Exception e) {
          // the JVM is going away
        }
      }));
    }
    return node;
  }
}
