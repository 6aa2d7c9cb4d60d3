package io.swak.plugins.tcp;

/**
 * Checks that a complete msgpack value is an entry {@code [time, record]} in a form the runtime reads
 * (EventTime, an integer or float time, or Fluent Bit's {@code [[time, metadata], record]}; the record a
 * map), so that what enters a batch never fails a step later.
 */
final class Entries {

  private final MsgpackScan scan = new MsgpackScan();

  /** True when {@code b[s, e)} (one whole value) is an entry. */
  boolean isEntry(byte[] b, int s, int e) {
    if (e - s < 3 || b[s] != (byte) 0x92) {
      return false;
    }
    int t = s + 1;
    int record;
    int type = b[t] & 0xff;
    try {
      if (type == 0xd7) {
        if (b[t + 1] != 0) {
          return false;
        }
        record = t + 10;
      } else if (type == 0xc7) {
        if (b[t + 1] != 8 || b[t + 2] != 0) {
          return false;
        }
        record = t + 11;
      } else if (isTime(type)) {
        record = scan.valueEnd(b, t, e);
      } else if ((type & 0xf0) == 0x90 && (type & 0x0f) >= 1) {
        // [[time, metadata...], record]
        int inner = t + 1;
        int it = b[inner] & 0xff;
        if (!isTime(it) && it != 0xd7) {
          return false;
        }
        record = scan.valueEnd(b, t, e);
      } else {
        return false;
      }
      return record < e && MsgpackScan.isMap(b, record) && scan.valueEnd(b, record, e) == e;
    } catch (MsgpackScan.Incomplete | MsgpackScan.Malformed | ArrayIndexOutOfBoundsException x) {
      return false;
    }
  }

  /** Integer or float type bytes: times in seconds. */
  private static boolean isTime(int type) {
    return type <= 0x7f || type >= 0xe0 || type >= 0xca && type <= 0xd3;
  }
}
