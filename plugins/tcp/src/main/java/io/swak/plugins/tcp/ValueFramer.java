package io.swak.plugins.tcp;

import java.io.IOException;

/**
 * Whole msgpack values, one after another (formats msgpack and forward). A value is looked at again only
 * once enough bytes came for it (a length inside it says how many), and a value announced larger than the
 * limit breaks the stream at once, before its bytes are waited for: there is no newline to find the
 * next value by, so such a stream cannot be read on.
 */
final class ValueFramer extends Framer {

  /** What becomes of each value. */
  interface Values {
    void value(byte[] b, int off, int end) throws IOException;
  }

  private final MsgpackScan scan = new MsgpackScan();
  private final Values values;
  /** Bytes the unfinished value needs at least (from its start). */
  private long need;
  /** Bytes of an unfinished value dropped when the connection ended. */
  long truncated;

  ValueFramer(Sink sink, int maxValue, Values values) {
    super(sink, maxValue);
    this.values = values;
  }

  @Override
  int units(byte[] b, int p, int e) throws IOException {
    while (p < e) {
      if (e - p < need) {
        return p;
      }
      int ve;
      try {
        ve = scan.valueEnd(b, p, e);
      } catch (MsgpackScan.Incomplete i) {
        need = i.need - p;
        if (need > maxUnit) {
          throw new StreamBroken("a message of at least " + need + " bytes was announced, more than the limit of "
              + maxUnit + " bytes");
        }
        return p;
      } catch (MsgpackScan.Malformed m) {
        throw new StreamBroken(m.getMessage());
      }
      need = 0;
      if (ve - p > maxUnit) {
        throw new StreamBroken("a message of " + (ve - p) + " bytes, more than the limit of " + maxUnit + " bytes");
      }
      values.value(b, p, ve);
      p = ve;
      if (!sink.flushIfFull()) {
        stopped = true;
        return p;
      }
    }
    return p;
  }

  @Override
  void end() throws IOException {
    if (own != null) {
      truncated += end - start;
    }
    super.end();
  }
}
