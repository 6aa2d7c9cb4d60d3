package io.swak.plugins.kafka;

import io.swak.api.MsgpackReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A topic, key or header value written with {@code ${tag}} and {@code ${record.FIELD}} (a dotted path into
 * nested maps), e.g. {@code logs.${tag}} or {@code ${record.kubernetes.namespace}}. A field that is missing
 * expands to nothing; a string field to its text; numbers and booleans to their text; maps and arrays to JSON.
 */
final class Template {

  /** A literal piece (field null, tag false), the tag, or a field path. */
  private record Part(String literal, boolean tag, byte[][] path) { }

  private final String text;
  private final List<Part> parts;
  private final boolean usesRecord;
  private final boolean usesTag;

  private Template(String text, List<Part> parts) {
    this.text = text;
    this.parts = parts;
    this.usesRecord = parts.stream().anyMatch(p -> p.path != null);
    this.usesTag = parts.stream().anyMatch(p -> p.tag);
  }

  /** Parses {@code text}; throws IllegalArgumentException naming {@code option} for what it cannot read. */
  static Template parse(String option, String text) {
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
      int close = text.indexOf('}', open);
      if (close < 0) {
        throw new IllegalArgumentException("option `" + option + "`: '${' at " + open + " is not closed with '}' in '"
            + text + "'");
      }
      String name = text.substring(open + 2, close).trim();
      if (lit.length() > 0) {
        parts.add(new Part(lit.toString(), false, null));
        lit.setLength(0);
      }
      if (name.equals("tag")) {
        parts.add(new Part(null, true, null));
      } else if (name.startsWith("record.") && name.length() > 7) {
        String[] segs = name.substring(7).split("\\.");
        byte[][] path = new byte[segs.length][];
        for (int k = 0; k < segs.length; k++) {
          if (segs[k].isEmpty()) {
            throw new IllegalArgumentException("option `" + option + "`: empty field name in '${" + name + "}'");
          }
          path[k] = segs[k].getBytes(StandardCharsets.UTF_8);
        }
        parts.add(new Part(null, false, path));
      } else {
        throw new IllegalArgumentException("option `" + option + "`: unknown placeholder '${" + name + "}' in '"
            + text + "': use ${tag} or ${record.FIELD} (e.g. ${record.level})");
      }
      i = close + 1;
    }
    if (lit.length() > 0) {
      parts.add(new Part(lit.toString(), false, null));
    }
    return new Template(text, List.copyOf(parts));
  }

  /** A template of one field: {@code level} → {@code ${record.level}}. */
  static Template field(String option, String dottedField) {
    return parse(option, "${record." + dottedField + "}");
  }

  boolean usesRecord() {
    return usesRecord;
  }

  /** True when the value is the same for every event of a batch (no record field in it). */
  boolean perBatch() {
    return !usesRecord;
  }

  boolean isConstant() {
    return !usesRecord && !usesTag;
  }

  /** The expansion for a tag and the record at {@code recordStart} of {@code data} (ignored without fields). */
  String expand(String tag, byte[] data, int recordStart, int end) {
    if (parts.size() == 1) {
      Part p = parts.get(0);
      if (p.literal != null) {
        return p.literal;
      }
      if (p.tag) {
        return tag;
      }
    }
    StringBuilder sb = new StringBuilder(32);
    for (Part p : parts) {
      if (p.literal != null) {
        sb.append(p.literal);
      } else if (p.tag) {
        sb.append(tag);
      } else {
        FieldValue.appendText(data, recordStart, end, p.path, sb);
      }
    }
    return sb.toString();
  }

  /**
   * The value of a one-field template as bytes (a string field's UTF-8 bytes as they are), or null when the field
   * is missing or nil: for keys, where a missing key means the partitioner chooses.
   */
  byte[] expandBytes(String tag, byte[] data, int recordStart, int end) {
    if (parts.size() == 1 && parts.get(0).path != null) {
      return FieldValue.bytes(data, recordStart, end, parts.get(0).path);
    }
    return expand(tag, data, recordStart, end).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return text;
  }

  /** Finding a field in a msgpack record without decoding the rest of it. */
  static final class FieldValue {

    private FieldValue() { }

    /** Position of the value at {@code path} in the map at {@code p}, or -1. */
    static int find(MsgpackReader in, byte[] data, byte[][] path) {
      for (byte[] key : path) {
        if (in.nextType() != MsgpackReader.Type.MAP) {
          return -1;
        }
        int n = in.readMapHeader();
        boolean found = false;
        for (int i = 0; i < n; i++) {
          if (in.nextType() == MsgpackReader.Type.STRING) {
            int len = in.readStringLength();
            int at = in.position();
            in.skip(len);
            if (len == key.length && java.util.Arrays.equals(data, at, at + len, key, 0, len)) {
              found = true;
              break;
            }
          } else {
            in.skipValue();
          }
          in.skipValue();
        }
        if (!found) {
          return -1;
        }
      }
      return in.position();
    }

    static byte[] bytes(byte[] data, int start, int end, byte[][] path) {
      MsgpackReader in = new MsgpackReader(data, start, end - start);
      if (find(in, data, path) < 0) {
        return null;
      }
      MsgpackReader.Type t = in.nextType();
      if (t == MsgpackReader.Type.NIL) {
        return null;
      }
      if (t == MsgpackReader.Type.STRING) {
        int len = in.readStringLength();
        return java.util.Arrays.copyOfRange(data, in.position(), in.position() + len);
      }
      if (t == MsgpackReader.Type.BINARY) {
        return in.readBinary();
      }
      StringBuilder sb = new StringBuilder();
      text(in.readValue(), sb);
      return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    static void appendText(byte[] data, int start, int end, byte[][] path, StringBuilder sb) {
      MsgpackReader in = new MsgpackReader(data, start, end - start);
      if (find(in, data, path) < 0) {
        return;
      }
      text(in.readValue(), sb);
    }

    private static void text(Object v, StringBuilder sb) {
      if (v == null) {
        return;
      }
      if (v instanceof String || v instanceof Number || v instanceof Boolean) {
        sb.append(v);
      } else if (v instanceof byte[] b) {
        sb.append(new String(b, StandardCharsets.UTF_8));
      } else {
        json(v, sb);
      }
    }

    /** Maps and lists as JSON (rare in keys and topics: no need for the fast encoder). */
    private static void json(Object v, StringBuilder sb) {
      if (v == null || v instanceof Number || v instanceof Boolean) {
        sb.append(v);
      } else if (v instanceof java.util.Map<?, ?> m) {
        sb.append('{');
        boolean first = true;
        for (java.util.Map.Entry<?, ?> e : m.entrySet()) {
          sb.append(first ? "" : ",");
          first = false;
          quote(String.valueOf(e.getKey()), sb);
          sb.append(':');
          json(e.getValue(), sb);
        }
        sb.append('}');
      } else if (v instanceof java.util.List<?> l) {
        sb.append('[');
        for (int i = 0; i < l.size(); i++) {
          sb.append(i > 0 ? "," : "");
          json(l.get(i), sb);
        }
        sb.append(']');
      } else if (v instanceof byte[] b) {
        quote(java.util.Base64.getEncoder().encodeToString(b), sb);
      } else {
        quote(String.valueOf(v), sb);
      }
    }

    private static void quote(String s, StringBuilder sb) {
      sb.append('"');
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '"' || c == '\\') {
          sb.append('\\').append(c);
        } else if (c < 0x20) {
          sb.append(String.format("\\u%04x", (int) c));
        } else {
          sb.append(c);
        }
      }
      sb.append('"');
    }
  }
}
