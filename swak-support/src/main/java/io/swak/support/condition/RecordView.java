package io.swak.support.condition;

import io.swak.support.RecordBytes;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A record's msgpack map seen as a {@code Map} by the expression library, decoding only what is asked for:
 * {@code get("status")} finds that key in the bytes ({@link RecordBytes#findKey}) and decodes its value alone; a
 * nested map is another view over its own bytes. Only iterating (rare in a condition) decodes the whole map.
 */
public final class RecordView extends AbstractMap<String, Object> {

  private final byte[] d;
  private final int start;
  private final int end;
  private Map<String, Object> decoded;

  RecordView(byte[] d, int start, int end) {
    this.d = d;
    this.start = start;
    this.end = end;
  }

  /** UTF-8 of the keys expressions ask for: the same few names, event after event. */
  private static final java.util.concurrent.ConcurrentHashMap<String, byte[]> KEYS = new java.util.concurrent.ConcurrentHashMap<>();

  private int find(Object key) {
    if (!(key instanceof String s)) {
      return RecordBytes.ABSENT;
    }
    byte[] k = KEYS.get(s);
    if (k == null) {
      k = s.getBytes(StandardCharsets.UTF_8);
      if (KEYS.size() < 4096) { // keys made up per event (record[tag]) are not kept
        KEYS.put(s, k);
      }
    }
    return RecordBytes.findKey(d, start, end, k, 0, k.length);
  }

  @Override
  public Object get(Object key) {
    int p = find(key);
    return p < 0 ? null : value(d, p, end);
  }

  @Override
  public boolean containsKey(Object key) {
    return find(key) >= 0;
  }

  @Override
  public int size() {
    return RecordBytes.mapSize(d, start, end);
  }

  @Override
  public Set<Entry<String, Object>> entrySet() {
    if (decoded == null) {
      Map<String, Object> m = new LinkedHashMap<>();
      int n = RecordBytes.mapSize(d, start, end);
      int q = start + RecordBytes.headerSize(d[start] & 0xff);
      for (int i = 0; i < n; i++) {
        int v = RecordBytes.skip(d, q, end);
        Object k = value(d, q, end);
        m.put(String.valueOf(k), value(d, v, end));
        q = RecordBytes.skip(d, v, end);
      }
      decoded = m;
    }
    return decoded.entrySet();
  }

  /** The value at {@code p}: String, Long, Double, Boolean, null, a view of a map, a list. */
  static Object value(byte[] d, int p, int end) {
    if (RecordBytes.isMap(d, p, end)) {
      return new RecordView(d, p, RecordBytes.skip(d, p, end));
    }
    if (RecordBytes.isString(d, p, end)) {
      return RecordBytes.string(d, p, end);
    }
    if (RecordBytes.isInteger(d, p, end)) {
      return RecordBytes.longValue(d, p, end);
    }
    if (RecordBytes.isFloat(d, p, end)) {
      return RecordBytes.doubleValue(d, p, end);
    }
    if (RecordBytes.isNil(d, p, end)) {
      return null;
    }
    if (RecordBytes.isArray(d, p, end)) {
      int n = RecordBytes.arraySize(d, p, end);
      List<Object> out = new ArrayList<>(Math.min(n, 1024));
      int q = p + RecordBytes.headerSize(d[p] & 0xff);
      for (int i = 0; i < n; i++) {
        out.add(value(d, q, end));
        q = RecordBytes.skip(d, q, end);
      }
      return out;
    }
    return RecordBytes.javaValue(d, p, end);
  }
}
