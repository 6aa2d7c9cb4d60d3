package io.swak.plugins.syslog;

import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.MsgpackHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The entries of the batch being built, written as msgpack straight from the received bytes: a parsed message
 * costs no String and no map. A record's field count is patched into its header when the record ends (fixmap:
 * records have at most 15 fields). Not thread-safe: one per network thread.
 */
final class EntryBuffer {

  byte[] buf = new byte[1 << 16];
  int len;
  int count;
  private int mapAt;
  private int fields;

  /** The msgpack string of {@code s}, for keys written many times. */
  static byte[] key(String s) {
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[utf8.length + 5];
    int n = MsgpackHeaders.str(out, 0, utf8);
    return Arrays.copyOf(out, n);
  }

  void ensure(int more) {
    if (len + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
    }
  }

  /** Starts an entry at {@code timeNanos} whose record is a map of the fields added until {@link #endRecord}. */
  void beginRecord(long timeNanos) {
    ensure(12);
    len = MsgpackHeaders.entryHead(buf, len, timeNanos);
    mapAt = len++;
    fields = 0;
  }

  void endRecord() {
    buf[mapAt] = (byte) (0x80 | fields);
    count++;
  }

  /** Forgets the record begun last (a message that turned out not to parse is written again another way). */
  void dropRecord(int markLen) {
    len = markLen;
  }

  /** A field with a string value taken from {@code b[off, off + n)} as it is (bytes that are not UTF-8 kept). */
  void string(byte[] key, byte[] b, int off, int n) {
    ensure(key.length + 5 + n);
    System.arraycopy(key, 0, buf, len, key.length);
    int p = MsgpackHeaders.str(buf, len + key.length, n);
    System.arraycopy(b, off, buf, p, n);
    len = p + n;
    fields++;
  }

  /** A field whose value is a ready msgpack string (a name from a table). */
  void packed(byte[] key, byte[] value) {
    ensure(key.length + value.length);
    System.arraycopy(key, 0, buf, len, key.length);
    System.arraycopy(value, 0, buf, len + key.length, value.length);
    len += key.length + value.length;
    fields++;
  }

  void integer(byte[] key, long v) {
    ensure(key.length + 9);
    System.arraycopy(key, 0, buf, len, key.length);
    len = MsgpackHeaders.integer(buf, len + key.length, v);
    fields++;
  }

  /** Starts a field whose value the caller writes itself; counts as one field. */
  void rawKey(byte[] key) {
    ensure(key.length);
    System.arraycopy(key, 0, buf, len, key.length);
    len += key.length;
    fields++;
  }

  /** Takes back the field started by {@link #rawKey} at {@code markLen}. */
  void unField(int markLen) {
    len = markLen;
    fields--;
  }

  boolean isEmpty() {
    return count == 0;
  }

  /** The entries as a batch (copied); the buffer is empty afterwards. */
  Batch take(String tag) {
    Batch b = new Batch(tag, Arrays.copyOf(buf, len), len, count, Ack.NONE);
    len = 0;
    count = 0;
    if (buf.length > (1 << 22)) {
      buf = new byte[1 << 16]; // do not keep the memory of one burst of huge messages
    }
    return b;
  }
}
