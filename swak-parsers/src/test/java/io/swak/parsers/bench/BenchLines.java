package io.swak.parsers.bench;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Made-up but realistic lines, 1024 of each format, the same every run (fixed seed): times advance a
 * second every ~16 lines, as a busy service's logs do, which is what the time caches count on.
 */
final class BenchLines {

  static final int COUNT = 1024;
  private static final String[] PATHS = {"/api/v1/users", "/api/v1/items", "/static/app.js", "/health",
      "/api/v2/orders/search", "/login"};
  private static final String[] AGENTS = {
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
      "curl/8.5.0", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
      "Go-http-client/1.1"};
  private static final String[] LEVELS = {"info", "info", "info", "warn", "debug", "error"};

  private BenchLines() {}

  interface Line {
    String make(Random r, int i, int second);
  }

  static byte[][] make(Line line) {
    Random r = new Random(42);
    byte[][] out = new byte[COUNT][];
    for (int i = 0; i < COUNT; i++) {
      out[i] = line.make(r, i, i / 16).getBytes(StandardCharsets.UTF_8);
    }
    return out;
  }

  /** ~200 bytes: a service's structured log line; one in eight has an escaped quote. */
  static byte[][] json() {
    return make((r, i, s) -> String.format("{\"time\":\"2024-05-01T12:%02d:%02d.%03dZ\",\"level\":\"%s\","
            + "\"logger\":\"io.swak.http.Server\",\"msg\":\"%s\",\"status\":%d,\"duration_ms\":%d.%d,"
            + "\"user_id\":%d,\"trace_id\":\"%016x\",\"ok\":%s}",
        s / 60 % 60, s % 60, r.nextInt(1000), LEVELS[r.nextInt(LEVELS.length)],
        i % 8 == 0 ? "said \\\"hello\\\" to " + PATHS[r.nextInt(PATHS.length)] : "GET " + PATHS[r.nextInt(
            PATHS.length)] + " completed",
        r.nextBoolean() ? 200 : 404, r.nextInt(900), r.nextInt(10), r.nextInt(1_000_000), r.nextLong(),
        r.nextBoolean()));
  }

  static byte[][] nginx() {
    return make((r, i, s) -> String.format("%d.%d.%d.%d - - [01/May/2024:12:%02d:%02d +0000] \"%s %s/%d?page=%d "
            + "HTTP/1.1\" %d %d \"https://example.com%s\" \"%s\"",
        r.nextInt(256), r.nextInt(256), r.nextInt(256), r.nextInt(256), s / 60 % 60, s % 60,
        r.nextInt(5) == 0 ? "POST" : "GET", PATHS[r.nextInt(PATHS.length)], r.nextInt(10000), r.nextInt(20),
        r.nextInt(8) == 0 ? 404 : 200, r.nextInt(100_000), PATHS[r.nextInt(PATHS.length)],
        AGENTS[r.nextInt(AGENTS.length)]));
  }

  static byte[][] logfmt() {
    return make((r, i, s) -> String.format("time=2024-05-01T12:%02d:%02d.%03dZ level=%s msg=\"%s\" method=GET "
            + "path=%s/%d status=%d duration=%dms user=%d",
        s / 60 % 60, s % 60, r.nextInt(1000), LEVELS[r.nextInt(LEVELS.length)],
        i % 8 == 0 ? "said \\\"hi\\\"" : "request completed", PATHS[r.nextInt(PATHS.length)], r.nextInt(10000),
        r.nextBoolean() ? 200 : 500, r.nextInt(900), r.nextInt(100000)));
  }

  static byte[][] ltsv() {
    return make((r, i, s) -> String.format("time:01/May/2024:12:%02d:%02d +0000\thost:10.0.%d.%d\treq:GET %s "
            + "HTTP/1.1\tstatus:%d\tsize:%d\tua:%s",
        s / 60 % 60, s % 60, r.nextInt(256), r.nextInt(256), PATHS[r.nextInt(PATHS.length)],
        r.nextBoolean() ? 200 : 404, r.nextInt(100000), AGENTS[r.nextInt(AGENTS.length)]));
  }

  static byte[][] csv() {
    return make((r, i, s) -> String.format("2024-05-01T12:%02d:%02dZ,%s,%d,\"%s\",%d.%d",
        s / 60 % 60, s % 60, LEVELS[r.nextInt(LEVELS.length)], r.nextInt(100000),
        i % 4 == 0 ? "a \"\"quoted\"\", message" : "plain message, with comma", r.nextInt(100), r.nextInt(10)));
  }

  static byte[][] syslog5424() {
    return make((r, i, s) -> String.format("<%d>1 2024-05-01T12:%02d:%02d.%06dZ host%d.example.com app%d %d ID%d "
            + "[exampleSDID@32473 iut=\"%d\" eventSource=\"Application\"] \uFEFFuser %d logged in",
        r.nextInt(192), s / 60 % 60, s % 60, r.nextInt(1_000_000), r.nextInt(10), r.nextInt(5), r.nextInt(30000),
        r.nextInt(100), r.nextInt(10), r.nextInt(100000)));
  }

  static byte[][] syslog3164() {
    return make((r, i, s) -> String.format("<%d>May  1 12:%02d:%02d host%d sshd[%d]: Accepted publickey for user%d "
            + "from 10.0.%d.%d port %d ssh2",
        r.nextInt(192), s / 60 % 60, s % 60, r.nextInt(10), r.nextInt(30000), r.nextInt(100), r.nextInt(256),
        r.nextInt(256), r.nextInt(65536)));
  }

  static byte[][] cri() {
    return make((r, i, s) -> String.format("2024-05-01T12:%02d:%02d.%09dZ %s %s level=info msg=\"request %d done\"",
        s / 60 % 60, s % 60, r.nextInt(1_000_000_000), r.nextBoolean() ? "stdout" : "stderr",
        i % 10 == 0 ? "P" : "F", r.nextInt(100000)));
  }

  static byte[][] docker() {
    return make((r, i, s) -> String.format("{\"log\":\"%s request %d done in %dms\\n\",\"stream\":\"%s\","
            + "\"time\":\"2024-05-01T12:%02d:%02d.%09dZ\"}",
        LEVELS[r.nextInt(LEVELS.length)], r.nextInt(100000), r.nextInt(900), r.nextBoolean() ? "stdout" : "stderr",
        s / 60 % 60, s % 60, r.nextInt(1_000_000_000)));
  }
}
