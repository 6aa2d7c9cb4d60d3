package io.swak.plugins.syslog;

import io.swak.api.Batch;
import io.swak.api.EntryReader;
import io.swak.api.MsgpackReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes events as syslog messages for out.Syslog: the header from fields of the record (or the configured
 * defaults), the message from the message field (the record as JSON when it has none). Header fields are cut to
 * RFC 5424's lengths and their characters kept printable ASCII, so that a receiver parses the header it expects.
 */
final class SyslogMessages {

  private static final DateTimeFormatter BSD = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.ROOT);

  private final SyslogOutputPlugin.Options o;
  private final int defaultSeverity;
  private final int defaultFacility;
  private final String defaultHost;
  private final ZoneId zone;
  private final int max;
  private final boolean octets;
  private final boolean datagrams;
  private final byte[] messageKey;
  /** Messages cut to max_message_size by the last {@link #encode}. */
  int truncated;

  SyslogMessages(SyslogOutputPlugin.Options o) {
    this.o = o;
    this.defaultSeverity = severityCode(o.severity());
    this.defaultFacility = facilityCode(o.facility());
    this.defaultHost = o.hostname() != null && !o.hostname().isEmpty() ? o.hostname() : localHost();
    this.zone = o.zone();
    this.datagrams = o.protocol() == SyslogInputPlugin.Protocol.UDP;
    this.max = (int) Math.min(o.maxMessageSize().bytes(), datagrams ? 65_507 : Integer.MAX_VALUE - 16);
    this.octets = o.framing() == SyslogOutputPlugin.Framing.OCTET_COUNTING;
    this.messageKey = o.messageKey().getBytes(StandardCharsets.UTF_8);
  }

  private static String localHost() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }

  /** 0-7 from a name (RFC 5424's, with Fluentd's and common spellings) or a number; -1 when neither. */
  static int severityCode(String s) {
    return switch (s.trim().toLowerCase(Locale.ROOT)) {
      case "emerg", "emergency", "panic", "0" -> 0;
      case "alert", "1" -> 1;
      case "crit", "critical", "2" -> 2;
      case "err", "error", "3" -> 3;
      case "warn", "warning", "4" -> 4;
      case "notice", "5" -> 5;
      case "info", "informational", "6" -> 6;
      case "debug", "7" -> 7;
      default -> -1;
    };
  }

  /** 0-23 from a name or a number; -1 when neither. */
  static int facilityCode(String s) {
    String f = s.trim().toLowerCase(Locale.ROOT);
    for (int i = 0; i < SyslogParser.FACILITY_NAMES.length; i++) {
      if (SyslogParser.FACILITY_NAMES[i].equals(f)) {
        return i;
      }
    }
    if (f.equals("security")) {
      return 4;
    }
    try {
      int n = Integer.parseInt(f);
      return n >= 0 && n <= 23 ? n : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Every event of the batch as one framed message each, for a stream. */
  byte[] encodeStream(Batch batch) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(batch.length() + batch.count() * 64);
    truncated = 0;
    for (byte[] m : messages(batch)) {
      if (octets) {
        out.write((m.length + " ").getBytes(StandardCharsets.US_ASCII));
        out.write(m);
      } else {
        for (int i = 0; i < m.length; i++) {
          if (m[i] == '\n') {
            m[i] = ' ';
          }
        }
        out.write(m);
        out.write('\n');
      }
    }
    return out.toByteArray();
  }

  /** Every event of the batch as one message each (unframed: a datagram each). */
  List<byte[]> messages(Batch batch) throws IOException {
    List<byte[]> out = new ArrayList<>(batch.count());
    try (EntryReader r = new EntryReader(batch.data(), 0, batch.length())) {
      while (r.hasNext()) {
        r.next();
        byte[] raw = rawString(batch.data(), r.recordStart(), r.recordEnd(), messageKey);
        out.add(message(r.timeNanos(), r.record(), raw));
      }
    }
    return out;
  }

  /**
   * The bytes of the string field {@code key} of the msgpack map at {@code d[s, e)}, as they are (a message that
   * is not UTF-8 keeps its bytes, which decoding it to a String would replace); null when there is none.
   */
  static byte[] rawString(byte[] d, int s, int e, byte[] key) {
    MsgpackReader in = new MsgpackReader(d, s, e - s);
    if (in.nextType() != MsgpackReader.Type.MAP) {
      return null;
    }
    int n = in.readMapHeader();
    for (int i = 0; i < n; i++) {
      boolean match = false;
      if (in.nextType() == MsgpackReader.Type.STRING) {
        int len = in.readStringLength();
        int p = in.position();
        match = len == key.length && Arrays.equals(d, p, p + len, key, 0, len);
        in.skip(len);
      } else {
        in.skipValue();
      }
      if (match && in.nextType() == MsgpackReader.Type.STRING) {
        int len = in.readStringLength();
        return Arrays.copyOfRange(d, in.position(), in.position() + len);
      }
      in.skipValue();
    }
    return null;
  }

  byte[] message(long timeNanos, Map<String, Object> record, byte[] rawText) {
    int sev = code(record.get(o.severityKey()), defaultSeverity, true);
    int fac = code(record.get(o.facilityKey()), defaultFacility, false);
    String host = field(record, o.hostnameKey(), defaultHost, 255);
    String app = field(record, o.appnameKey(), o.appname(), 48);
    String procid = field(record, o.procidKey(), o.procid(), 128);
    StringBuilder h = new StringBuilder(128);
    h.append('<').append(fac * 8 + sev).append('>');
    if (o.format() == SyslogOutputPlugin.Format.RFC5424) {
      String msgid = field(record, o.msgidKey(), o.msgid(), 32);
      h.append("1 ").append(rfc3339(timeNanos)).append(' ').append(dash(host)).append(' ').append(dash(app))
          .append(' ').append(dash(procid)).append(' ').append(dash(msgid)).append(' ');
      structuredData(record.get(o.sdKey()), h);
      h.append(' ');
    } else {
      LocalDateTime t = LocalDateTime.ofEpochSecond(Math.floorDiv(timeNanos, 1_000_000_000L), 0,
          zone.getRules().getOffset(java.time.Instant.ofEpochSecond(Math.floorDiv(timeNanos, 1_000_000_000L))));
      h.append(BSD.format(t)).append(' ').append(host.isEmpty() ? "-" : host).append(' ');
      if (!app.isEmpty()) {
        h.append(app.length() > 32 ? app.substring(0, 32) : app);
        if (!procid.isEmpty()) {
          h.append('[').append(procid).append(']');
        }
        h.append(": ");
      }
    }
    byte[] head = h.toString().getBytes(StandardCharsets.UTF_8);
    byte[] text = rawText != null ? rawText : text(record);
    int n = head.length + text.length;
    if (n > max) {
      truncated++;
      n = Math.max(head.length, max);
    }
    byte[] m = new byte[n];
    System.arraycopy(head, 0, m, 0, Math.min(head.length, n));
    if (n > head.length) {
      System.arraycopy(text, 0, m, head.length, n - head.length);
    }
    return m;
  }

  private byte[] text(Map<String, Object> record) {
    Object v = record.get(o.messageKey());
    if (v instanceof String s) {
      return s.getBytes(StandardCharsets.UTF_8);
    }
    if (v instanceof byte[] b) {
      return b;
    }
    StringBuilder json = new StringBuilder(64);
    Json.write(record, json);
    return json.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static int code(Object v, int dflt, boolean severity) {
    if (v instanceof Number n) {
      int c = n.intValue();
      return c >= 0 && c <= (severity ? 7 : 23) ? c : dflt;
    }
    if (v instanceof String s) {
      int c = severity ? severityCode(s) : facilityCode(s);
      return c >= 0 ? c : dflt;
    }
    return dflt;
  }

  /** A header field: printable ASCII without spaces (others become '_'), at most {@code max} characters. */
  private static String field(Map<String, Object> record, String key, String dflt, int max) {
    Object v = record.get(key);
    String s = v == null || v instanceof Map || v instanceof List ? dflt == null ? "" : dflt : String.valueOf(v);
    StringBuilder b = new StringBuilder(Math.min(s.length(), max));
    for (int i = 0; i < s.length() && b.length() < max; i++) {
      char c = s.charAt(i);
      b.append(c > 32 && c < 127 ? c : '_');
    }
    return b.toString();
  }

  private static String dash(String s) {
    return s.isEmpty() ? "-" : s;
  }

  /** {@code [id k="v"]...} from a map of maps; {@code -} for anything else. */
  private static void structuredData(Object sd, StringBuilder h) {
    if (!(sd instanceof Map<?, ?> m) || m.isEmpty()) {
      h.append('-');
      return;
    }
    int before = h.length();
    for (Map.Entry<?, ?> e : m.entrySet()) {
      String id = name(String.valueOf(e.getKey()));
      if (id.isEmpty()) {
        continue;
      }
      h.append('[').append(id);
      if (e.getValue() instanceof Map<?, ?> params) {
        for (Map.Entry<?, ?> p : params.entrySet()) {
          String k = name(String.valueOf(p.getKey()));
          if (k.isEmpty()) {
            continue;
          }
          h.append(' ').append(k).append("=\"");
          String v = String.valueOf(p.getValue());
          for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '"' || c == '\\' || c == ']') {
              h.append('\\');
            }
            h.append(c);
          }
          h.append('"');
        }
      }
      h.append(']');
    }
    if (h.length() == before) {
      h.append('-');
    }
  }

  /** An SD-NAME: printable ASCII except {@code = ] "} and space, at most 32 characters. */
  private static String name(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && b.length() < 32; i++) {
      char c = s.charAt(i);
      if (c > 32 && c < 127 && c != '=' && c != ']' && c != '"') {
        b.append(c);
      }
    }
    return b.toString();
  }

  /** {@code 2026-01-02T03:04:05.123456Z}: microseconds, as RFC 5424 allows at most six digits. */
  static String rfc3339(long nanos) {
    long sec = Math.floorDiv(nanos, 1_000_000_000L);
    int micros = (int) (Math.floorMod(nanos, 1_000_000_000L) / 1000);
    LocalDateTime t = LocalDateTime.ofEpochSecond(sec, 0, ZoneOffset.UTC);
    return String.format(Locale.ROOT, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", t.getYear(), t.getMonthValue(),
        t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond(), micros);
  }

  /** A small JSON writer for records that have no message field (values as MsgpackReader decodes them). */
  static final class Json {
    private Json() { }

    static void write(Object v, StringBuilder b) {
      if (v == null) {
        b.append("null");
      } else if (v instanceof String s) {
        string(s, b);
      } else if (v instanceof Number || v instanceof Boolean) {
        b.append(v);
      } else if (v instanceof Map<?, ?> m) {
        b.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : m.entrySet()) {
          if (!first) {
            b.append(',');
          }
          first = false;
          string(String.valueOf(e.getKey()), b);
          b.append(':');
          write(e.getValue(), b);
        }
        b.append('}');
      } else if (v instanceof List<?> l) {
        b.append('[');
        for (int i = 0; i < l.size(); i++) {
          if (i > 0) {
            b.append(',');
          }
          write(l.get(i), b);
        }
        b.append(']');
      } else if (v instanceof byte[] bytes) {
        string(java.util.Base64.getEncoder().encodeToString(bytes), b);
      } else {
        string(String.valueOf(v), b);
      }
    }

    private static void string(String s, StringBuilder b) {
      b.append('"');
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        switch (c) {
          case '"' -> b.append("\\\"");
          case '\\' -> b.append("\\\\");
          case '\n' -> b.append("\\n");
          case '\r' -> b.append("\\r");
          case '\t' -> b.append("\\t");
          default -> {
            if (c < 0x20) {
              b.append(String.format("\\u%04x", (int) c));
            } else {
              b.append(c);
            }
          }
        }
      }
      b.append('"');
    }
  }
}
