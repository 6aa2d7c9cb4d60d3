package io.swak.support;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where a field is in a record, as every step writes it: {@code status}, {@code http.status},
 * {@code record.http.status}, {@code record["a.b"].c}, {@code items[0].id}. A leading {@code record.} (or
 * {@code record[}) is optional; a dot goes one map deeper; a key with a dot or a bracket in it is quoted in
 * brackets ({@code ["a.b"]} or {@code ['a.b']}, backslash escapes the quote); {@code [N]} is the N-th element of
 * a list. {@code record} alone is the whole record. The one implementation of field paths: steps parse them
 * once, at configuration time, and look them up in the record's bytes with {@link RecordBytes#find}.
 */
public final class FieldPath {

  /** The whole record. */
  public static final FieldPath ROOT = new FieldPath("record", new byte[0][], new int[0]);

  private final String text;
  /** One per segment: the key's UTF-8 bytes, or null for a list index. */
  private final byte[][] keys;
  private final int[] indexes;

  private FieldPath(String text, byte[][] keys, int[] indexes) {
    this.text = text;
    this.keys = keys;
    this.indexes = indexes;
  }

  /**
   * The key of a field an option writes, which must be one top-level field written plainly or as record["a.b"];
   * throws IllegalArgumentException naming the option otherwise.
   */
  public static byte[] topLevel(String option, String name) {
    FieldPath p = parse(name);
    if (p.size() != 1 || !p.isKey(0)) {
      throw new IllegalArgumentException("option `" + option + "`: `" + name + "` must name a top-level field "
          + "(write record[\"" + name + "\"] for a name with a dot)");
    }
    return p.key(0);
  }

  /** Parses a path; throws IllegalArgumentException saying what is wrong and how to write it. */
  public static FieldPath parse(String path) {
    if (path == null) {
      throw new IllegalArgumentException("a field path is missing: write e.g. message, http.status or record[\"a.b\"]");
    }
    String s = path.strip();
    int i = 0;
    int n = s.length();
    if (s.startsWith("record") && (n == 6 || s.charAt(6) == '.' || s.charAt(6) == '[')) {
      i = 6;
      if (i < n && s.charAt(i) == '.') {
        i++;
        if (i == n) {
          throw bad(path, "nothing after `record.`");
        }
      }
    }
    List<byte[]> keys = new ArrayList<>();
    List<Integer> indexes = new ArrayList<>();
    boolean first = true;
    while (i < n) {
      char c = s.charAt(i);
      if (c == '[') {
        int close;
        if (i + 1 < n && (s.charAt(i + 1) == '"' || s.charAt(i + 1) == '\'')) {
          char q = s.charAt(i + 1);
          StringBuilder key = new StringBuilder();
          int j = i + 2;
          while (j < n && s.charAt(j) != q) {
            if (s.charAt(j) == '\\' && j + 1 < n) {
              j++;
            }
            key.append(s.charAt(j++));
          }
          if (j >= n) {
            throw bad(path, "the quote opened at " + (i + 2) + " is not closed");
          }
          if (j + 1 >= n || s.charAt(j + 1) != ']') {
            throw bad(path, "a quoted key must be followed by ]");
          }
          keys.add(key.toString().getBytes(StandardCharsets.UTF_8));
          indexes.add(-1);
          close = j + 1;
        } else {
          close = s.indexOf(']', i);
          if (close < 0) {
            throw bad(path, "the [ at " + (i + 1) + " is not closed");
          }
          String inside = s.substring(i + 1, close).strip();
          if (!inside.matches("\\d{1,9}")) {
            throw bad(path, "inside [ ] write a list index such as [0] or a quoted key such as [\"a.b\"], not `"
                + inside + "`");
          }
          keys.add(null);
          indexes.add(Integer.parseInt(inside));
        }
        i = close + 1;
        if (i < n && s.charAt(i) == '.') {
          i++;
          if (i == n) {
            throw bad(path, "it ends with a dot");
          }
        } else if (i < n && s.charAt(i) != '[') {
          throw bad(path, "expected . or [ after ] at " + i);
        }
        first = false;
        continue;
      }
      int j = i;
      while (j < n && s.charAt(j) != '.' && s.charAt(j) != '[') {
        j++;
      }
      if (j == i) {
        throw bad(path, first ? "it starts with a dot" : "two dots in a row (an empty field name)");
      }
      keys.add(s.substring(i, j).getBytes(StandardCharsets.UTF_8));
      indexes.add(-1);
      i = j;
      if (i < n && s.charAt(i) == '.') {
        i++;
        if (i == n) {
          throw bad(path, "it ends with a dot");
        }
      }
      first = false;
    }
    if (keys.isEmpty()) {
      return ROOT;
    }
    return new FieldPath(path.strip(), keys.toArray(new byte[0][]), indexes.stream().mapToInt(Integer::intValue).toArray());
  }

  /** A path of plain keys, none parsed for dots: {@code of("a.b")} is the top-level key {@code a.b}. */
  public static FieldPath of(String... keys) {
    byte[][] k = new byte[keys.length][];
    StringBuilder text = new StringBuilder("record");
    for (int i = 0; i < keys.length; i++) {
      k[i] = keys[i].getBytes(StandardCharsets.UTF_8);
      text.append("[\"").append(keys[i].replace("\\", "\\\\").replace("\"", "\\\"")).append("\"]");
    }
    int[] idx = new int[keys.length];
    Arrays.fill(idx, -1);
    return keys.length == 0 ? ROOT : new FieldPath(text.toString(), k, idx);
  }

  private static IllegalArgumentException bad(String path, String why) {
    return new IllegalArgumentException("field path `" + path + "`: " + why
        + " (write e.g. message, http.status, record[\"a.b\"] or items[0])");
  }

  /** Segments; 0 for the whole record. */
  public int size() {
    return keys.length;
  }

  public boolean isRoot() {
    return keys.length == 0;
  }

  /** True when segment {@code i} is a key (else a list index). */
  public boolean isKey(int i) {
    return keys[i] != null;
  }

  /** The UTF-8 bytes of key segment {@code i}; do not modify. */
  public byte[] key(int i) {
    return keys[i];
  }

  /** The index of list segment {@code i}. */
  public int index(int i) {
    return indexes[i];
  }

  /** Key segment {@code i} as text. */
  public String keyText(int i) {
    return new String(keys[i], StandardCharsets.UTF_8);
  }

  /** True when every segment is a key (what can be set or removed). */
  public boolean onlyKeys() {
    for (byte[] k : keys) {
      if (k == null) {
        return false;
      }
    }
    return true;
  }

  /** The path without its last segment (ROOT for a top-level field). */
  public FieldPath parent() {
    if (keys.length <= 1) {
      return ROOT;
    }
    return new FieldPath(text + " (parent)", Arrays.copyOf(keys, keys.length - 1),
        Arrays.copyOf(indexes, indexes.length - 1));
  }

  /** The last key's bytes; null for ROOT or a path ending in an index. */
  public byte[] lastKey() {
    return keys.length == 0 ? null : keys[keys.length - 1];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FieldPath p && Arrays.deepEquals(keys, p.keys) && Arrays.equals(indexes, p.indexes);
  }

  @Override
  public int hashCode() {
    return Arrays.deepHashCode(keys) * 31 + Arrays.hashCode(indexes);
  }

  /** As written in the configuration. */
  @Override
  public String toString() {
    return text;
  }
}
