package io.swak.api;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads msgpack values straight from a range of a byte array, with no allocation unless a Java object is asked
 * for ({@link #readString}, {@link #readValue}, ...). Positions are indexes into the array (not relative to the
 * range's start), so a caller can take bytes straight from {@link #data()}: after {@link #readStringLength()} the
 * string's UTF-8 bytes are {@code data()[position() .. position() + length)}; {@link #skip} passes them.
 *
 * <p>Every read checks the range: a value that runs past {@link #end()}, a length that does not fit in it, a type
 * byte that is never used (0xc1) or a value of another type than asked for throws {@link MsgpackException} (at
 * the value's offset) and nothing else. A container header is checked against the bytes left (every element takes
 * at least one), so a header claiming 2<sup>32</sup>-1 elements fails at once, before anything is allocated.
 * {@link #skipValue()} needs no stack, whatever the nesting; {@link #readValue()} builds nested Java objects up
 * to {@link #MAX_DEPTH} containers deep. Strings that are not valid UTF-8 decode with replacement characters.
 * A failed read leaves the position where it was.
 *
 * <p>Integers: {@link #readLong()} reads every integer format but throws for a uint64 above
 * {@link Long#MAX_VALUE}; {@link #readBigInteger()} reads those exactly, {@link #readDouble()} and
 * {@link #readValue()} as the nearest double. Not thread-safe.
 */
public final class MsgpackReader {

  /** The types of msgpack values. */
  public enum Type {
    NIL, BOOLEAN, INTEGER, FLOAT, STRING, BINARY, ARRAY, MAP, EXTENSION
  }

  /**
   * How many containers deep {@link #readValue()} (and {@link #readMap()}) builds Java objects; deeper data
   * throws {@link MsgpackException} instead of overflowing the stack. As deep as Jackson's default nesting
   * limit, so any JSON document Jackson parses fits.
   */
  public static final int MAX_DEPTH = 1000;

  private static final Type[] TYPES = new Type[256];

  static {
    for (int b = 0; b < 256; b++) {
      TYPES[b] = typeOf(b);
    }
  }

  private final byte[] data;
  private final int start;
  private final int end;
  private int pos;
  private byte extType;

  /** A reader of {@code length} bytes of {@code data} from {@code offset}; the array is not copied. */
  public MsgpackReader(byte[] data, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, Objects.requireNonNull(data, "data").length);
    this.data = data;
    this.start = offset;
    this.end = offset + length;
    this.pos = offset;
  }

  /** A reader of all of {@code data}. */
  public MsgpackReader(byte[] data) {
    this(data, 0, data.length);
  }

  /** The array read (not a copy). */
  public byte[] data() {
    return data;
  }

  /** Index in {@link #data()} of the next byte to read. */
  public int position() {
    return pos;
  }

  /** Moves to index {@code p} of {@link #data()}, which must lie in the range given to the constructor. */
  public void position(int p) {
    if (p < start || p > end) {
      throw new IllegalArgumentException("position " + p + " outside " + start + ".." + end);
    }
    pos = p;
  }

  /** Index in {@link #data()} just past the range read. */
  public int end() {
    return end;
  }

  /** Whether bytes are left before {@link #end()} (a value, or the start of a truncated one). */
  public boolean hasNext() {
    return pos < end;
  }

  /** The type of the next value, without reading it. */
  public Type nextType() {
    Type t = TYPES[peek("a value")];
    if (t == null) {
      throw new MsgpackException("never-used type byte 0xc1", pos);
    }
    return t;
  }

  public void readNil() {
    int b = peek("nil");
    if (b != 0xc0) {
      throw unexpected("nil", pos, b);
    }
    pos++;
  }

  public boolean readBoolean() {
    int b = peek("a boolean");
    if (b != 0xc2 && b != 0xc3) {
      throw unexpected("a boolean", pos, b);
    }
    pos++;
    return b == 0xc3;
  }

  /**
   * An integer of any format. A uint64 above {@link Long#MAX_VALUE} throws {@link MsgpackException} (use
   * {@link #readBigInteger()} or {@link #readDouble()} for those); floats are not integers and throw too.
   */
  public long readLong() {
    final int p = pos;
    int b = peek("an integer");
    if (b <= 0x7f) {
      pos = p + 1;
      return b;
    }
    if (b >= 0xe0) {
      pos = p + 1;
      return (byte) b;
    }
    long v;
    switch (b) {
      case 0xcc:
        need(p, 2);
        v = data[p + 1] & 0xff;
        pos = p + 2;
        return v;
      case 0xcd:
        need(p, 3);
        v = u16(p + 1);
        pos = p + 3;
        return v;
      case 0xce:
        need(p, 5);
        v = u32(p + 1);
        pos = p + 5;
        return v;
      case 0xcf:
        need(p, 9);
        v = i64(p + 1);
        if (v < 0) {
          throw new MsgpackException("uint64 " + Long.toUnsignedString(v) + " does not fit in a long", p);
        }
        pos = p + 9;
        return v;
      case 0xd0:
        need(p, 2);
        v = data[p + 1];
        pos = p + 2;
        return v;
      case 0xd1:
        need(p, 3);
        v = (short) u16(p + 1);
        pos = p + 3;
        return v;
      case 0xd2:
        need(p, 5);
        v = (int) u32(p + 1);
        pos = p + 5;
        return v;
      case 0xd3:
        need(p, 9);
        v = i64(p + 1);
        pos = p + 9;
        return v;
      default:
        throw unexpected("an integer", p, b);
    }
  }

  /** An integer of any format, exactly (uint64 above {@link Long#MAX_VALUE} included). */
  public BigInteger readBigInteger() {
    final int p = pos;
    int b = peek("an integer");
    if (b == 0xcf) {
      need(p, 9);
      long v = i64(p + 1);
      pos = p + 9;
      return v >= 0 ? BigInteger.valueOf(v) : BigInteger.valueOf(v).add(BigInteger.ONE.shiftLeft(64));
    }
    return BigInteger.valueOf(readLong());
  }

  /** A float32 or float64, or an integer of any format converted to the nearest double. */
  public double readDouble() {
    final int p = pos;
    int b = peek("a number");
    switch (b) {
      case 0xca: {
        need(p, 5);
        float f = Float.intBitsToFloat((int) u32(p + 1));
        pos = p + 5;
        return f;
      }
      case 0xcb: {
        need(p, 9);
        double d = Double.longBitsToDouble(i64(p + 1));
        pos = p + 9;
        return d;
      }
      case 0xcf: {
        need(p, 9);
        long v = i64(p + 1);
        pos = p + 9;
        return unsignedToDouble(v);
      }
      default:
        if (TYPES[b] != Type.INTEGER) {
          throw unexpected("a number", p, b);
        }
        return readLong();
    }
  }

  /**
   * The header of a string: returns its length in bytes and leaves {@link #position()} at its first byte, so the
   * caller can use {@code data()[position() .. position() + length)} and then {@link #skip} it. As msgpack-core
   * does by default, a binary is accepted as well (the old msgpack spec had one raw type for both).
   */
  public int readStringLength() {
    return rawHeader("a string");
  }

  /** A string (or a binary, see {@link #readStringLength()}) decoded as UTF-8, with replacement characters. */
  public String readString() {
    int n = rawHeader("a string");
    int p = pos;
    pos = p + n;
    return n == 0 ? "" : new String(data, p, n, StandardCharsets.UTF_8);
  }

  /**
   * The header of a binary: returns its length and leaves {@link #position()} at its first byte (see
   * {@link #readStringLength()}; a string is accepted as well).
   */
  public int readBinaryLength() {
    return rawHeader("a binary");
  }

  /** A binary (or a string) as a copy of its bytes. */
  public byte[] readBinary() {
    int n = rawHeader("a binary");
    int p = pos;
    pos = p + n;
    return Arrays.copyOfRange(data, p, p + n);
  }

  /** The header of an array: its number of elements, which follow. */
  public int readArrayHeader() {
    final int p = pos;
    int b = peek("an array");
    long n;
    int h;
    if ((b & 0xf0) == 0x90) {
      n = b & 0x0f;
      h = 1;
    } else if (b == 0xdc) {
      need(p, 3);
      n = u16(p + 1);
      h = 3;
    } else if (b == 0xdd) {
      need(p, 5);
      n = u32(p + 1);
      h = 5;
    } else {
      throw unexpected("an array", p, b);
    }
    if (n > end - p - h) {
      throw new MsgpackException("truncated: " + format(b) + " of " + n + " elements with " + (end - p - h)
          + " bytes left", p);
    }
    pos = p + h;
    return (int) n;
  }

  /** The header of a map: its number of key-value pairs, which follow (key, value, key, value, ...). */
  public int readMapHeader() {
    final int p = pos;
    int b = peek("a map");
    long n;
    int h;
    if ((b & 0xf0) == 0x80) {
      n = b & 0x0f;
      h = 1;
    } else if (b == 0xde) {
      need(p, 3);
      n = u16(p + 1);
      h = 3;
    } else if (b == 0xdf) {
      need(p, 5);
      n = u32(p + 1);
      h = 5;
    } else {
      throw unexpected("a map", p, b);
    }
    if (2 * n > end - p - h) {
      throw new MsgpackException("truncated: " + format(b) + " of " + n + " pairs with " + (end - p - h)
          + " bytes left", p);
    }
    pos = p + h;
    return (int) n;
  }

  /**
   * The header of an extension (fixext or ext 8/16/32): returns its payload's length and leaves
   * {@link #position()} at the payload's first byte; its type is then {@link #extensionType()}.
   */
  public int readExtensionHeader() {
    final int p = pos;
    int b = peek("an extension");
    long n;
    int h;
    byte type;
    switch (b) {
      case 0xd4, 0xd5, 0xd6, 0xd7, 0xd8:
        need(p, 2);
        n = 1 << (b - 0xd4);
        type = data[p + 1];
        h = 2;
        break;
      case 0xc7:
        need(p, 3);
        n = data[p + 1] & 0xff;
        type = data[p + 2];
        h = 3;
        break;
      case 0xc8:
        need(p, 4);
        n = u16(p + 1);
        type = data[p + 3];
        h = 4;
        break;
      case 0xc9:
        need(p, 6);
        n = u32(p + 1);
        type = data[p + 5];
        h = 6;
        break;
      default:
        throw unexpected("an extension", p, b);
    }
    checkPayload(p, b, h, n);
    extType = type;
    pos = p + h;
    return (int) n;
  }

  /** The type of the extension whose header {@link #readExtensionHeader()} read last. */
  public byte extensionType() {
    return extType;
  }

  /** Passes {@code n} bytes (a payload whose header was read). */
  public void skip(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("negative: " + n);
    }
    if (n > end - pos) {
      throw new MsgpackException("truncated: cannot skip " + n + " bytes with " + (end - pos) + " left", pos);
    }
    pos += n;
  }

  /**
   * Passes the next value, containers with everything in them. Iterative: any nesting is fine, and it stops at
   * the first header that claims more elements than there are bytes left.
   */
  public void skipValue() {
    final byte[] d = data;
    final int e = end;
    int p = pos;
    long pending = 1; // values still to pass; each takes at least one byte
    while (pending > 0) {
      if (p >= e) {
        throw new MsgpackException("truncated: " + pending + " more values expected before the end", p);
      }
      int b = d[p] & 0xff;
      pending--;
      if (b <= 0x7f || b >= 0xe0) {
        p++;
        continue;
      }
      long size; // bytes of this value, or of its header for a container
      switch (b >>> 4) {
        case 0x8:
          pending += 2L * (b & 0x0f);
          size = 1;
          break;
        case 0x9:
          pending += b & 0x0f;
          size = 1;
          break;
        case 0xa, 0xb:
          size = 1 + (b & 0x1f);
          break;
        default:
          size = sizeOf(d, p, e, b);
          if (size < 0) { // an array or map 16/32 header of -size bytes; its count is in pending's terms
            int h = (int) -size;
            need(p, h);
            long n = h == 3 ? u16(p + 1) : u32(p + 1);
            pending += b == 0xde || b == 0xdf ? 2 * n : n;
            size = h;
          }
      }
      if (size > e - p) {
        throw truncated(p, b, size);
      }
      p += (int) size;
      if (pending > e - p) {
        throw new MsgpackException("truncated: " + format(b) + " claims " + pending + " more values with "
            + (e - p) + " bytes left", p - (int) size);
      }
    }
    pos = p;
  }

  /**
   * Size in bytes of the value with type byte {@code b} at {@code p} (0xc0 to 0xdf); for array and map 16/32
   * headers the negated size of the header.
   */
  private long sizeOf(byte[] d, int p, int e, int b) {
    switch (b) {
      case 0xc0, 0xc2, 0xc3:
        return 1;
      case 0xc4:
        need(p, 2);
        return 2 + (d[p + 1] & 0xff);
      case 0xc5:
        need(p, 3);
        return 3 + u16(p + 1);
      case 0xc6:
        need(p, 5);
        return 5 + u32(p + 1);
      case 0xc7:
        need(p, 3);
        return 3 + (d[p + 1] & 0xff);
      case 0xc8:
        need(p, 4);
        return 4 + u16(p + 1);
      case 0xc9:
        need(p, 6);
        return 6 + u32(p + 1);
      case 0xd9:
        need(p, 2);
        return 2 + (d[p + 1] & 0xff);
      case 0xda:
        need(p, 3);
        return 3 + u16(p + 1);
      case 0xdb:
        need(p, 5);
        return 5 + u32(p + 1);
      case 0xdc, 0xde:
        return -3;
      case 0xdd, 0xdf:
        return -5;
      case 0xc1:
        throw new MsgpackException("never-used type byte 0xc1", p);
      default:
        return MsgpackHeaders.fixedSize(b);
    }
  }

  /**
   * A time as nanoseconds since the epoch: EventTime (ext type 0 of 8 bytes, uint32 seconds and uint32
   * nanoseconds), an integer of seconds, or a float of seconds.
   */
  public long readTime() {
    final int p = pos;
    int b = peek("a time");
    if (b == 0xd7 && end - p >= 10 && data[p + 1] == 0) { // EventTime as fixext 8, as nearly everyone sends it
      pos = p + 10;
      return u32(p + 2) * 1_000_000_000L + u32(p + 6);
    }
    Type t = TYPES[b];
    if (t == Type.EXTENSION) {
      int n = readExtensionHeader();
      if (extType != 0 || n != 8) {
        pos = p;
        throw new MsgpackException("time must be EventTime (ext type 0, 8 bytes), got ext type " + extType + " of "
            + n + " bytes", p);
      }
      int q = pos;
      pos = q + 8;
      return u32(q) * 1_000_000_000L + u32(q + 4);
    }
    if (t == Type.INTEGER) {
      return readLong() * 1_000_000_000L;
    }
    if (t == Type.FLOAT) {
      return (long) (readDouble() * 1e9);
    }
    throw new MsgpackException("time must be EventTime or a number, got " + format(b), p);
  }

  /**
   * Any value as a Java object: String, Long, Double (float32 and float64, and uint64 above
   * {@link Long#MAX_VALUE}), Boolean, null, byte[] (a binary, or an extension's payload), List, or
   * {@code Map<String, Object>} (a LinkedHashMap in the data's order; keys that are not strings become
   * {@code String.valueOf} of their value, binary keys their UTF-8 text).
   */
  public Object readValue() {
    int p = pos;
    try {
      return value(0);
    } catch (MsgpackException e) {
      pos = p;
      throw e;
    }
  }

  /**
   * The text of a map key that is not a string: binaries (also inside a list or map key) as their UTF-8 text,
   * so the same bytes always give the same key (String.valueOf of a byte[] is its identity).
   */
  static String keyText(Object k) {
    if (k instanceof byte[] raw) {
      return new String(raw, StandardCharsets.UTF_8);
    }
    if (k instanceof java.util.List<?> l) {
      StringBuilder b = new StringBuilder("[");
      for (int i = 0; i < l.size(); i++) {
        b.append(i > 0 ? ", " : "").append(keyText(l.get(i)));
      }
      return b.append(']').toString();
    }
    if (k instanceof Map<?, ?> m) {
      StringBuilder b = new StringBuilder("{");
      for (Map.Entry<?, ?> e : m.entrySet()) {
        b.append(b.length() > 1 ? ", " : "").append(keyText(e.getKey())).append('=').append(keyText(e.getValue()));
      }
      return b.append('}').toString();
    }
    return String.valueOf(k);
  }

  /** A map, as {@link #readValue()} decodes it; anything else throws {@link MsgpackException}. */
  public Map<String, Object> readMap() {
    int p = pos;
    try {
      return map(readMapHeader(), 0, p);
    } catch (MsgpackException e) {
      pos = p;
      throw e;
    }
  }

  /** The value at {@link #pos}, inside {@code depth} containers. */
  private Object value(int depth) {
    final int p = pos;
    if (p >= end) {
      throw new MsgpackException("truncated: a value expected before the end", p);
    }
    final byte[] d = data;
    int b = d[p] & 0xff;
    if (b <= 0x7f) {
      pos = p + 1;
      return Long.valueOf(b);
    }
    if (b >= 0xe0) {
      pos = p + 1;
      return Long.valueOf((byte) b);
    }
    if ((b & 0xe0) == 0xa0) { // fixstr
      int n = b & 0x1f;
      if (n > end - p - 1) {
        throw truncated(p, b, 1L + n);
      }
      pos = p + 1 + n;
      return n == 0 ? "" : new String(d, p + 1, n, StandardCharsets.UTF_8);
    }
    Type t = TYPES[b];
    if (t == null) {
      throw new MsgpackException("never-used type byte 0xc1", p);
    }
    switch (t) {
      case MAP:
        return map(readMapHeader(), depth, p);
      case ARRAY:
        return list(readArrayHeader(), depth, p);
      case STRING:
        return readString();
      case NIL:
        pos = p + 1;
        return null;
      case BOOLEAN:
        pos = p + 1;
        return b == 0xc3 ? Boolean.TRUE : Boolean.FALSE;
      case INTEGER:
        if (b == 0xcf) {
          need(p, 9);
          long v = i64(p + 1);
          pos = p + 9;
          return v >= 0 ? (Object) Long.valueOf(v) : (Object) Double.valueOf(unsignedToDouble(v));
        }
        return Long.valueOf(readLong());
      case FLOAT:
        return Double.valueOf(readDouble());
      case BINARY:
        return readBinary();
      case EXTENSION: {
        int n = readExtensionHeader();
        int q = pos;
        pos = q + n;
        return Arrays.copyOfRange(d, q, q + n);
      }
      default:
        throw new AssertionError(t);
    }
  }

  private List<Object> list(int n, int depth, int at) {
    if (depth >= MAX_DEPTH) {
      throw new MsgpackException("nested deeper than " + MAX_DEPTH + " containers", at);
    }
    List<Object> l = new ArrayList<>(Math.min(n, 1 << 16));
    for (int i = 0; i < n; i++) {
      l.add(value(depth + 1));
    }
    return l;
  }

  private Map<String, Object> map(int n, int depth, int at) {
    if (depth >= MAX_DEPTH) {
      throw new MsgpackException("nested deeper than " + MAX_DEPTH + " containers", at);
    }
    // room for n entries without a resize at the default load factor
    Map<String, Object> m = new LinkedHashMap<>(n < 3 ? 4 : Math.min(n + n / 3 + 1, 1 << 20));
    final byte[] d = data;
    for (int i = 0; i < n; i++) {
      String k;
      int p = pos;
      int b = p < end ? d[p] & 0xff : -1;
      if ((b & 0xe0) == 0xa0 && b > 0) { // fixstr key: the common case
        int len = b & 0x1f;
        if (len > end - p - 1) {
          throw truncated(p, b, 1L + len);
        }
        pos = p + 1 + len;
        k = len == 0 ? "" : new String(d, p + 1, len, StandardCharsets.UTF_8);
      } else if (b == 0xd9 || b == 0xda || b == 0xdb) {
        k = readString();
      } else {
        Object o = value(depth + 1);
        k = keyText(o);
      }
      m.put(k, value(depth + 1));
    }
    return m;
  }

  /** The header of a str or bin: its length, checked against the range; the position is left at the bytes. */
  private int rawHeader(String what) {
    final int p = pos;
    int b = peek(what);
    long n;
    int h;
    if ((b & 0xe0) == 0xa0) {
      n = b & 0x1f;
      h = 1;
    } else {
      switch (b) {
        case 0xd9, 0xc4:
          need(p, 2);
          n = data[p + 1] & 0xff;
          h = 2;
          break;
        case 0xda, 0xc5:
          need(p, 3);
          n = u16(p + 1);
          h = 3;
          break;
        case 0xdb, 0xc6:
          need(p, 5);
          n = u32(p + 1);
          h = 5;
          break;
        default:
          throw unexpected(what, p, b);
      }
    }
    checkPayload(p, b, h, n);
    pos = p + h;
    return (int) n;
  }

  private void checkPayload(int p, int b, int h, long n) {
    if (n > end - p - h) {
      throw truncated(p, b, h + n);
    }
  }

  /** The type byte at the position; throws at the end. */
  private int peek(String what) {
    if (pos >= end) {
      throw new MsgpackException("truncated: " + what + " expected before the end", pos);
    }
    return data[pos] & 0xff;
  }

  /** Checks that the value of {@code n} bytes at {@code p} (its type byte read) fits in the range. */
  private void need(int p, int n) {
    if (n > end - p) {
      throw truncated(p, data[p] & 0xff, n);
    }
  }

  private MsgpackException truncated(int p, int b, long size) {
    return new MsgpackException("truncated: " + format(b) + " of " + size + " bytes with " + (end - p)
        + " left", p);
  }

  private static MsgpackException unexpected(String what, int p, int b) {
    return new MsgpackException("expected " + what + ", got " + format(b), p);
  }

  private long u16(int p) {
    return ((data[p] & 0xff) << 8) | (data[p + 1] & 0xff);
  }

  private long u32(int p) {
    return ((data[p] & 0xffL) << 24) | ((data[p + 1] & 0xff) << 16) | ((data[p + 2] & 0xff) << 8)
        | (data[p + 3] & 0xff);
  }

  private long i64(int p) {
    return (u32(p) << 32) | u32(p + 4);
  }

  /** The unsigned 64-bit {@code v} as the nearest double (as {@code BigInteger.doubleValue} rounds it). */
  private static double unsignedToDouble(long v) {
    if (v >= 0) {
      return v;
    }
    // halve keeping the lowest bit as a sticky bit, so that the one rounding to double is the right one
    return (double) ((v >>> 1) | (v & 1)) * 2.0;
  }

  private static Type typeOf(int b) {
    if (b <= 0x7f || b >= 0xe0) {
      return Type.INTEGER;
    }
    if (b <= 0x8f) {
      return Type.MAP;
    }
    if (b <= 0x9f) {
      return Type.ARRAY;
    }
    if (b <= 0xbf) {
      return Type.STRING;
    }
    return switch (b) {
      case 0xc0 -> Type.NIL;
      case 0xc2, 0xc3 -> Type.BOOLEAN;
      case 0xc4, 0xc5, 0xc6 -> Type.BINARY;
      case 0xc7, 0xc8, 0xc9, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8 -> Type.EXTENSION;
      case 0xca, 0xcb -> Type.FLOAT;
      case 0xcc, 0xcd, 0xce, 0xcf, 0xd0, 0xd1, 0xd2, 0xd3 -> Type.INTEGER;
      case 0xd9, 0xda, 0xdb -> Type.STRING;
      case 0xdc, 0xdd -> Type.ARRAY;
      case 0xde, 0xdf -> Type.MAP;
      default -> null; // 0xc1
    };
  }

  /** The msgpack format name of type byte {@code b}, for messages. */
  static String format(int b) {
    String name;
    if (b <= 0x7f) {
      name = "positive fixint";
    } else if (b <= 0x8f) {
      name = "fixmap";
    } else if (b <= 0x9f) {
      name = "fixarray";
    } else if (b <= 0xbf) {
      name = "fixstr";
    } else if (b >= 0xe0) {
      name = "negative fixint";
    } else {
      name = switch (b) {
        case 0xc0 -> "nil";
        case 0xc1 -> "never-used";
        case 0xc2, 0xc3 -> "bool";
        case 0xc4 -> "bin8";
        case 0xc5 -> "bin16";
        case 0xc6 -> "bin32";
        case 0xc7 -> "ext8";
        case 0xc8 -> "ext16";
        case 0xc9 -> "ext32";
        case 0xca -> "float32";
        case 0xcb -> "float64";
        case 0xcc -> "uint8";
        case 0xcd -> "uint16";
        case 0xce -> "uint32";
        case 0xcf -> "uint64";
        case 0xd0 -> "int8";
        case 0xd1 -> "int16";
        case 0xd2 -> "int32";
        case 0xd3 -> "int64";
        case 0xd4 -> "fixext1";
        case 0xd5 -> "fixext2";
        case 0xd6 -> "fixext4";
        case 0xd7 -> "fixext8";
        case 0xd8 -> "fixext16";
        case 0xd9 -> "str8";
        case 0xda -> "str16";
        case 0xdb -> "str32";
        case 0xdc -> "array16";
        case 0xdd -> "array32";
        case 0xde -> "map16";
        default -> "map32";
      };
    }
    return name + " (0x" + Integer.toHexString(b) + ")";
  }
}
