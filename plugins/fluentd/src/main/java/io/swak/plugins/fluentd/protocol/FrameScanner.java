package io.swak.plugins.fluentd.protocol;

import io.netty.buffer.ByteBuf;
import io.swak.api.MsgpackHeaders;

/**
 * Finds where one msgpack value ends in a byte stream without decoding it, so the server can cut
 * frames from TCP reads (a message may span reads, several may share one) and refuse a frame larger
 * than the limit before buffering it. Iterative: nesting depth costs no stack.
 */
public final class FrameScanner {

  /** Returned while the value is not complete yet. */
  public static final int INCOMPLETE = -1;

  /**
   * Deepest nesting accepted. Records are decoded recursively downstream; a hostile frame of a million
   * nested arrays must fail here, not overflow a stack there.
   */
  static final int MAX_DEPTH = 100;

  private FrameScanner() { }

  /**
   * As {@link #valueEnd(ByteBuf, int, int, long, long[])} for a record. In a fixmap (up to 15 fields, as log
   * records mostly are) the fields that are nil, booleans, numbers, or strings and binaries of up to 64 KiB
   * are walked in one pass with no nesting to track; from the first other value on, the general walk takes
   * the values left, so nothing is read twice. A relay validates every record it passes on; the one-pass
   * walk made that ~2x faster for flat records.
   */
  static int mapEnd(ByteBuf buf, int from, int to, long maxBytes, long[] left) {
    if (from >= to) {
      return INCOMPLETE;
    }
    int b = buf.getUnsignedByte(from);
    if ((b & 0xf0) != 0x80) {
      return valuesEnd(buf, from, to, maxBytes, left, 1);
    }
    int p = from + 1;
    for (int i = 2 * (b & 0x0f); i > 0; i--) {
      if (p >= to) {
        return INCOMPLETE;
      }
      int t = buf.getUnsignedByte(p);
      if (t >= 0xa0 && t <= 0xbf) {
        p += 1 + (t & 0x1f);
      } else if (t <= 0x7f || t >= 0xe0 || t == 0xc0 || t == 0xc2 || t == 0xc3) {
        p++;
      } else if (t == 0xd9 || t == 0xc4) {
        if (p + 2 > to) {
          return INCOMPLETE;
        }
        p += 2 + buf.getUnsignedByte(p + 1);
      } else if (t == 0xda || t == 0xc5) {
        if (p + 3 > to) {
          return INCOMPLETE;
        }
        p += 3 + buf.getUnsignedShort(p + 1);
      } else if (t >= 0xca && t <= 0xd3) {
        p += MsgpackHeaders.fixedSize(t);
      } else {
        return valuesEnd(buf, p, to, maxBytes, left, i); // this value and the i - 1 after it
      }
    }
    return p > to ? INCOMPLETE : p;
  }

  /**
   * End index (exclusive) of the msgpack value starting at {@code from}, or {@link #INCOMPLETE}.
   *
   * @throws ForwardProtocolException on a byte that starts no msgpack value, or a value that would be
   *     longer than {@code maxBytes}
   */
  public static int valueEnd(ByteBuf buf, int from, int to, long maxBytes) {
    return valueEnd(buf, from, to, maxBytes, new long[MAX_DEPTH + 1]);
  }

  /** As {@link #valueEnd(ByteBuf, int, int, long)}, with a reusable stack of {@code MAX_DEPTH + 1} counters. */
  static int valueEnd(ByteBuf buf, int from, int to, long maxBytes, long[] left) {
    return valuesEnd(buf, from, to, maxBytes, left, 1);
  }

  /**
   * The end index of the value at {@code from} when it is complete, else minus the length it has at least:
   * what its headers announce (a PackedForward message's entries blob, say) before its bytes came.
   *
   * @throws ForwardProtocolException as {@link #valueEnd(ByteBuf, int, int, long)} does
   */
  static long endOrNeeded(ByteBuf buf, int from, int to, long maxBytes, long[] left) {
    return scan(buf, from, to, maxBytes, left, 1);
  }

  /** The end of {@code count} values one after the other from {@code from}. */
  private static int valuesEnd(ByteBuf buf, int from, int to, long maxBytes, long[] left, long count) {
    long r = scan(buf, from, to, maxBytes, left, count);
    return r < 0 ? INCOMPLETE : (int) r;
  }

  /** The end of {@code count} values from {@code from}, or minus the bytes they need at least when incomplete. */
  private static long scan(ByteBuf buf, int from, int to, long maxBytes, long[] left, long count) {
    long pending = count;
    long pos = from;
    int depth = 0;
    left[0] = count;
    while (pending > 0) {
      while (left[depth] == 0) {
        depth--;
      }
      if (pos >= to) {
        return -(pos - from + pending); // every value still to come takes a byte at least
      }
      int b = buf.getUnsignedByte((int) pos);
      pending--;
      left[depth]--;
      long skip;
      long children = 0;
      long header = 1;
      if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3) {
        skip = 0;
      } else if (b >= 0x80 && b <= 0x8f) {
        skip = 0;
        children = 2L * (b & 0x0f);
      } else if (b >= 0x90 && b <= 0x9f) {
        skip = 0;
        children = b & 0x0f;
      } else if (b >= 0xa0 && b <= 0xbf) {
        skip = b & 0x1f;
      } else {
        int lenBytes;
        switch (b) {
          case 0xc4, 0xd9 -> { lenBytes = 1; skip = -1; }
          case 0xc5, 0xda -> { lenBytes = 2; skip = -1; }
          case 0xc6, 0xdb -> { lenBytes = 4; skip = -1; }
          case 0xc7 -> { lenBytes = 1; skip = -2; }
          case 0xc8 -> { lenBytes = 2; skip = -2; }
          case 0xc9 -> { lenBytes = 4; skip = -2; }
          case 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf, 0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8 -> {
            lenBytes = 0;
            skip = MsgpackHeaders.fixedSize(b) - 1;
          }
          case 0xdc -> { lenBytes = 2; skip = -3; }
          case 0xdd -> { lenBytes = 4; skip = -3; }
          case 0xde -> { lenBytes = 2; skip = -4; }
          case 0xdf -> { lenBytes = 4; skip = -4; }
          default -> throw new ForwardProtocolException(
              String.format("byte 0x%02x at offset %d starts no msgpack value", b, pos - from));
        }
        if (lenBytes > 0) {
          if (pos + 1 + lenBytes > to) {
            return -(pos - from + 1 + lenBytes + pending);
          }
          long n = switch (lenBytes) {
            case 1 -> buf.getUnsignedByte((int) pos + 1);
            case 2 -> buf.getUnsignedShort((int) pos + 1);
            default -> buf.getUnsignedInt((int) pos + 1);
          };
          header = 1 + lenBytes;
          if (skip == -1) {
            skip = n;
          } else if (skip == -2) {
            skip = n + 1; // ext: type byte, then data
          } else if (skip == -3) {
            children = n;
            skip = 0;
          } else {
            children = 2 * n;
            skip = 0;
          }
        }
      }
      pos += header + skip;
      pending += children;
      if (children > 0) {
        if (depth == MAX_DEPTH) {
          throw new ForwardProtocolException("values nested deeper than " + MAX_DEPTH + " levels");
        }
        left[++depth] = children;
      }
      // every pending value takes at least one byte: a frame that cannot fit is refused early
      if (pos - from + pending > maxBytes) {
        throw new ForwardProtocolException.TooLarge(maxBytes);
      }
    }
    if (pos > to) {
      return -(pos - from);
    }
    return pos;
  }
}
