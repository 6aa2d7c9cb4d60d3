package io.swak.plugins.exec;

import io.swak.core.testing.DebianPackages;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real journal file written by systemd's own writer: entries in the journal export format piped into
 * {@code systemd-journal-remote -o FILE -} (Debian's systemd-journal-remote, installed by the test set-up when
 * missing), which creates the file or appends to it. Read back with the machine's real journalctl.
 */
final class Journal {

  private static final String BOOT = "0123456789abcdef0123456789abcdef";
  private static long monotonic = 1;

  final Path file;

  Journal(Path file) {
    this.file = file;
  }

  static Path remote() {
    return DebianPackages.binary("systemd-journal-remote", "/lib/systemd/systemd-journal-remote",
        "/usr/lib/systemd/systemd-journal-remote");
  }

  static Path journalctl() {
    return DebianPackages.present("journalctl (systemd) is not installed", "/usr/bin/journalctl", "/bin/journalctl");
  }

  /** An entry: MESSAGE and the other fields given (values: String, byte[] for binary, or a List of values). */
  static Map<String, Object> entry(String message, Object... fields) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("MESSAGE", message);
    for (int i = 0; i < fields.length; i += 2) {
      e.put((String) fields[i], fields[i + 1]);
    }
    return e;
  }

  /** Appends entries with MESSAGE "event N" for N = from … from + n - 1. */
  void appendEvents(long from, int n) throws Exception {
    List<Map<String, Object>> entries = new ArrayList<>();
    for (long i = from; i < from + n; i++) {
      entries.add(entry("event " + i, "_SYSTEMD_UNIT", "test.service"));
    }
    append(entries);
  }

  /** Appends the entries, each at the current time (in µs, one apart), through systemd-journal-remote. */
  synchronized void append(List<Map<String, Object>> entries) throws Exception {
    ByteArrayOutputStream export = new ByteArrayOutputStream();
    long now = System.currentTimeMillis() * 1000;
    for (Map<String, Object> e : entries) {
      field(export, "__REALTIME_TIMESTAMP", String.valueOf(now++));
      field(export, "__MONOTONIC_TIMESTAMP", String.valueOf(monotonic++));
      field(export, "_BOOT_ID", BOOT);
      for (Map.Entry<String, Object> f : e.entrySet()) {
        if (f.getValue() instanceof List<?> values) {
          for (Object v : values) {
            field(export, f.getKey(), v);
          }
        } else {
          field(export, f.getKey(), f.getValue());
        }
      }
      export.write('\n');
    }
    Path log = Files.createTempFile("journal-remote", ".log");
    Process p = new ProcessBuilder(remote().toString(), "-o", file.toString(), "-")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try (OutputStream in = p.getOutputStream()) {
      export.writeTo(in);
    }
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException("systemd-journal-remote failed: " + Files.readString(log));
    }
    Files.deleteIfExists(log);
  }

  /** FIELD=value for text; FIELD, a little-endian 64-bit length and the bytes for binary (or a line end). */
  private static void field(ByteArrayOutputStream out, String name, Object value) throws IOException {
    byte[] v = value instanceof byte[] b ? b : String.valueOf(value).getBytes(StandardCharsets.UTF_8);
    boolean binary = value instanceof byte[] || String.valueOf(value).indexOf('\n') >= 0;
    out.write(name.getBytes(StandardCharsets.US_ASCII));
    if (binary) {
      out.write('\n');
      out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v.length).array());
    } else {
      out.write('=');
    }
    out.write(v);
    out.write('\n');
  }

  /** Every entry of the file as journalctl prints it in JSON (one object per line). */
  List<String> dump() throws Exception {
    Process p = new ProcessBuilder(journalctl().toString(), "--file=" + file, "-o", "json", "--all", "--no-pager",
        "--lines=all").redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(30, TimeUnit.SECONDS);
    return out.lines().toList();
  }
}
