package io.swak.plugins.parse.step;

import io.swak.support.FieldPath;
import io.swak.support.RecordBytes;
import io.swak.support.TextBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Text with placeholders, as modify's and tag's values write it: {@code ${record.path}} (a field's text),
 * {@code ${tag}}, {@code ${time}} (the event time, RFC 3339) and {@code ${hostname}}; parsed once, filled from the
 * entry bytes per event.
 */
final class Template {

  /** One piece: literal bytes, or a placeholder. */
  private record Part(byte[] literal, FieldPath field, char special) { }

  private static final byte[] HOSTNAME = hostname().getBytes(StandardCharsets.UTF_8);

  private final String text;
  private final Part[] parts;

  private Template(String text, Part[] parts) {
    this.text = text;
    this.parts = parts;
  }

  static Template parse(String text) {
    List<Part> parts = new ArrayList<>();
    int i = 0;
    StringBuilder lit = new StringBuilder();
    while (i < text.length()) {
      int open = text.indexOf("${", i);
      if (open < 0) {
        lit.append(text, i, text.length());
        break;
      }
      lit.append(text, i, open);
      int close = close(text, open + 2);
      if (close < 0) {
        throw new IllegalArgumentException("template `" + text + "`: the ${ at " + (open + 1) + " is not closed");
      }
      String name = text.substring(open + 2, close).strip();
      if (lit.length() > 0) {
        parts.add(new Part(lit.toString().getBytes(StandardCharsets.UTF_8), null, ' '));
        lit.setLength(0);
      }
      switch (name) {
        case "tag" -> parts.add(new Part(null, null, 't'));
        case "time" -> parts.add(new Part(null, null, 'T'));
        case "hostname" -> parts.add(new Part(null, null, 'h'));
        default -> {
          // a field path, as every step option writes it (record. optional): ${record.a.b} = ${a.b}
          FieldPath path;
          try {
            path = FieldPath.parse(name);
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("template `" + text + "`: ${" + name + "} is neither ${tag}, ${time}, "
                + "${hostname} nor a field path: " + e.getMessage());
          }
          parts.add(new Part(null, path, 'r'));
        }
      }
      i = close + 1;
    }
    if (lit.length() > 0) {
      parts.add(new Part(lit.toString().getBytes(StandardCharsets.UTF_8), null, ' '));
    }
    return new Template(text, parts.toArray(new Part[0]));
  }

  /** The } that closes the placeholder opened before {@code from}, skipping quoted keys ({@code ${record["a}"]}}). */
  private static int close(String text, int from) {
    char quote = 0;
    for (int i = from; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quote != 0) {
        if (c == '\\') {
          i++;
        } else if (c == quote) {
          quote = 0;
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '}') {
        return i;
      }
    }
    return -1;
  }

  /** The field when the template is only {@code ${record.path}}: its value is then copied with its type. */
  FieldPath onlyField() {
    return parts.length == 1 && parts[0].special == 'r' ? parts[0].field : null;
  }

  /** True when the text depends on nothing but the tag (tag's templates then cost one fill per batch). */
  boolean tagOnly() {
    for (Part p : parts) {
      if (p.special == 'r' || p.special == 'T') {
        return false;
      }
    }
    return true;
  }

  /** Where a step that changes records looks fields up: in the record as it is now, not as it came. */
  interface Fields {
    /** Appends the text of the field at {@code path}; false when there is none. */
    boolean append(FieldPath path, TextBuffer out);
  }

  /** Appends the text for one event; a missing field adds nothing. */
  void fill(TextBuffer out, String tag, long timeNanos, byte[] d, int rs, int re) {
    fill(out, tag, timeNanos, d, rs, re, null);
  }

  void fill(TextBuffer out, String tag, long timeNanos, byte[] d, int rs, int re, Fields fields) {
    for (Part p : parts) {
      switch (p.special) {
        case ' ' -> out.append(p.literal);
        case 't' -> out.append(tag);
        case 'h' -> out.append(HOSTNAME);
        case 'T' -> out.append(Instant.ofEpochSecond(Math.floorDiv(timeNanos, 1_000_000_000L),
            Math.floorMod(timeNanos, 1_000_000_000L)).toString());
        default -> {
          if (fields != null && fields.append(p.field, out)) {
            continue;
          }
          int v = d == null ? RecordBytes.ABSENT : RecordBytes.find(d, rs, re, p.field);
          if (v >= 0) {
            RecordBytes.appendText(d, v, re, out);
          }
        }
      }
    }
  }

  private static String hostname() {
    String h = System.getenv("HOSTNAME");
    if (h != null && !h.isBlank()) {
      return h;
    }
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "localhost";
    }
  }

  @Override
  public String toString() {
    return text;
  }
}
