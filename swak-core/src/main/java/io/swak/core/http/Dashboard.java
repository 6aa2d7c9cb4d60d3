package io.swak.core.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The dashboard's static files, served from the jar: one page, its script and its style, written by hand (no
 * build tool for the user to install). The page polls {@code /api/status} and {@code /api/log}.
 */
final class Dashboard {

  private Dashboard() { }

  /** A file to send. */
  record File(String type, byte[] bytes) { }

  private static final Map<String, String> FILES = Map.of(
      "/", "index.html",
      "/index.html", "index.html",
      "/dashboard.js", "dashboard.js",
      "/dashboard.css", "dashboard.css");

  /** The file served at {@code path}, or null. */
  static File file(String path) {
    String name = FILES.get(path);
    if (name == null) {
      return null;
    }
    try (InputStream in = Dashboard.class.getResourceAsStream("dashboard/" + name)) {
      if (in == null) {
        return null;
      }
      String type = name.endsWith(".html") ? "text/html; charset=utf-8" : name.endsWith(".js")
          ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
      return new File(type, in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
