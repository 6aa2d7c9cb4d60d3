package io.swak.plugins.parse.step;

import io.swak.support.FieldPath;
import io.swak.support.RecordBytes;
import java.util.List;

/**
 * A 64-bit hash of some fields' values as they are in the record bytes (type and all), for the steps that
 * group events by key (sample, throttle, dedupe). No fields: the whole record. A missing field hashes as absent,
 * so events without it share one key.
 */
final class EventKey {

  private final FieldPath[] fields;

  EventKey(List<String> fields) {
    this.fields = fields == null ? new FieldPath[0] : fields.stream().map(FieldPath::parse).toArray(FieldPath[]::new);
  }

  boolean none() {
    return fields.length == 0;
  }

  long hash(byte[] d, int rs, int re) {
    if (fields.length == 0) {
      return mix(0x9E3779B97F4A7C15L, d, rs, re);
    }
    long h = 0x9E3779B97F4A7C15L;
    for (FieldPath f : fields) {
      int v = RecordBytes.find(d, rs, re, f);
      if (v < 0) {
        h = h * 31 + 0x5bd1e995L; // absent
      } else {
        h = mix(h, d, v, RecordBytes.skip(d, v, re));
      }
    }
    return finish(h);
  }

  /** FNV-1a style over the bytes, 8 at a time where it can. */
  private static long mix(long h, byte[] d, int from, int to) {
    int i = from;
    for (; i + 8 <= to; i += 8) {
      long w = ((long) d[i] & 0xff) | ((long) (d[i + 1] & 0xff) << 8) | ((long) (d[i + 2] & 0xff) << 16)
          | ((long) (d[i + 3] & 0xff) << 24) | ((long) (d[i + 4] & 0xff) << 32) | ((long) (d[i + 5] & 0xff) << 40)
          | ((long) (d[i + 6] & 0xff) << 48) | ((long) (d[i + 7] & 0xff) << 56);
      h = (h ^ w) * 0x100000001B3L;
      h ^= h >>> 29;
    }
    for (; i < to; i++) {
      h = (h ^ (d[i] & 0xff)) * 0x100000001B3L;
    }
    return (h ^ (to - from)) * 0xff51afd7ed558ccdL;
  }

  static long finish(long h) {
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    return h ^ (h >>> 33);
  }
}
