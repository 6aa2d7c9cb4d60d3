package io.swak.bench;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/** The benchmark workload: nginx-like access-log lines of about 112 bytes. */
public final class Lines {

  private Lines() { }

  private static final String[] PATHS = {"/", "/index.html", "/api/v1/users", "/api/v1/orders/1234",
      "/static/app.js", "/login", "/search?q=swak", "/images/logo.png"};

  /** Line number {@code i} (deterministic), without the newline. */
  public static String line(long i, Random r) {
    return (10 + r.nextInt(200)) + "." + r.nextInt(256) + "." + r.nextInt(256) + "." + r.nextInt(256)
        + " - - [21/Nov/2026:10:00:00 +0000] \"GET " + PATHS[r.nextInt(PATHS.length)] + " HTTP/1.1\" "
        + (r.nextInt(10) < 9 ? 200 : 404) + " " + (100 + r.nextInt(9000)) + " \"-\" \"curl/8.5.0\" " + (i % 1000);
  }

  /** {@code n} lines joined by newlines, as a file holds them. */
  public static byte[] block(int n) {
    Random r = new Random(42);
    StringBuilder sb = new StringBuilder(n * 120);
    for (int i = 0; i < n; i++) {
      sb.append(line(i, r)).append('\n');
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }
}
