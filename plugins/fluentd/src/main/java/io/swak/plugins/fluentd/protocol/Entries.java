package io.swak.plugins.fluentd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.swak.api.MsgpackHeaders;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/**
 * The entries of one message, validated whole and handed out in parts of about {@link #PART} bytes in the batch
 * form ({@code [EventTime, record]} concatenated), never splitting an entry. A message that is not valid fails
 * before its first part, so nothing of it is delivered. Parts keep the memory a message costs bounded: a gzip
 * message is inflated a window at a time, and one that inflates to more than a part is inflated a second time to
 * cut its parts, rather than held whole.
 */
abstract class Entries implements AutoCloseable {

  /** About the most bytes of entries in one part. */
  static final int PART = 1 << 20;

  private final int count;

  Entries(int count) {
    this.count = count;
  }

  /** Entries in the whole message. */
  final int count() {
    return count;
  }

  /** The next part, null after the last. */
  abstract ForwardRequest.Part next();

  /** Gives back what the parts not taken hold (an inflater). */
  @Override
  public void close() { }

  /** Entries decoded at once: one part (or none). */
  static Entries of(byte[] data, int count) {
    return new Entries(count) {
      private boolean taken = count == 0;

      @Override
      ForwardRequest.Part next() {
        if (taken) {
          return null;
        }
        taken = true;
        return new ForwardRequest.Part(data, count);
      }
    };
  }

  /**
   * The entries in {@code [base + start, base + limit)} of {@code buf} (which must stay as it is until the last
   * part is taken): {@code max} of them, or all to the end when {@code toEnd}.
   */
  static Entries plain(ByteBuf buf, int base, int limit, int start, int max, boolean toEnd, long[] stack)
      throws IOException {
    if (limit - start <= PART) {
      Walk w = walk(buf, base, limit, start, max, toEnd, false, Integer.MAX_VALUE, true, stack);
      return of(w.data, w.count);
    }
    Walk all = walk(buf, base, limit, start, max, toEnd, false, Integer.MAX_VALUE, false, stack);
    return new Entries(all.count) {
      private int pos = start;
      private int left = all.count;

      @Override
      ForwardRequest.Part next() {
        if (left == 0) {
          return null;
        }
        try {
          Walk w = walk(buf, base, limit, pos, left, false, false, PART, true, stack);
          pos = w.pos;
          left -= w.count;
          return new ForwardRequest.Part(w.data, w.count);
        } catch (IOException e) {
          throw new ForwardProtocolException("malformed message: " + e.getMessage(), e);
        }
      }
    };
  }

  /**
   * The entries of gzip data (every concatenated member, as Fluentd writes them), inflated a window at a time
   * with the total checked against {@code inflatedLimit} as it grows. An entry must fit a window of at most
   * {@code maxEntry} bytes.
   */
  static Entries gzip(ByteBuf blob, long inflatedLimit, long maxEntry, long[] stack) {
    try (Inflating first = new Inflating(blob, inflatedLimit, maxEntry, stack)) {
      first.fill();
      if (first.ended) {
        ForwardRequest.Part whole = first.part(Integer.MAX_VALUE); // one window: the common case, inflated once
        return of(whole.data(), whole.count());
      }
      int count = first.validate();
      return new Entries(count) {
        private Inflating again;
        private int left = count;

        @Override
        ForwardRequest.Part next() {
          if (left == 0) {
            close();
            return null;
          }
          if (again == null) {
            again = new Inflating(blob, inflatedLimit, maxEntry, stack);
          }
          ForwardRequest.Part p = again.part(PART);
          left -= p.count();
          return p;
        }

        @Override
        public void close() {
          if (again != null) {
            again.close();
          }
        }
      };
    }
  }

  /** One pass of inflating gzip data through a window, walking the entries in it. */
  private static final class Inflating implements AutoCloseable {
    private final InputStream z;
    private final long inflatedLimit;
    private final long maxEntry;
    private final long[] stack;
    private byte[] window = new byte[PART + (64 << 10)];
    /** The inflated bytes not walked yet: {@code window[from, to)}. */
    private int from;
    private int to;
    private long inflated;
    boolean ended;

    Inflating(ByteBuf blob, long inflatedLimit, long maxEntry, long[] stack) {
      try {
        this.z = new GZIPInputStream(new ByteBufInputStream(blob.duplicate()), 8192);
      } catch (IOException e) {
        throw new ForwardProtocolException("bad gzip entries: " + e.getMessage(), e);
      }
      this.inflatedLimit = inflatedLimit;
      this.maxEntry = maxEntry;
      this.stack = stack;
    }

    /** The next entries, about {@code maxOut} bytes of them, or all that are left when fewer. */
    ForwardRequest.Part part(int maxOut) {
      List<byte[]> pieces = new ArrayList<>(1);
      int out = 0;
      int count = 0;
      while (true) {
        fill();
        Walk w = walkWindow(maxOut - out, true);
        pieces.add(w.data);
        out += w.data.length;
        count += w.count;
        if (out >= maxOut || !moreRoom()) {
          break;
        }
      }
      return new ForwardRequest.Part(concat(pieces, out), count);
    }

    /** Walks all the entries without keeping them, checking each; returns how many there are. */
    int validate() {
      int count = 0;
      while (true) {
        fill();
        count += walkWindow(Integer.MAX_VALUE, false).count;
        if (!moreRoom()) {
          return count;
        }
      }
    }

    private Walk walkWindow(int maxOut, boolean copy) {
      try {
        Walk w = walk(Unpooled.wrappedBuffer(window, 0, to), 0, to, from, Integer.MAX_VALUE, true, !ended, maxOut,
            copy, stack);
        from = w.pos;
        return w;
      } catch (IOException e) {
        throw new ForwardProtocolException("malformed entries: " + e.getMessage(), e);
      }
    }

    /**
     * Makes room for more inflated bytes after the incomplete entry at {@code from}: moves it to the start, or
     * grows the window when it fills the window. False when the data ended with every entry walked.
     */
    private boolean moreRoom() {
      if (ended) {
        if (from < to) {
          throw new ForwardProtocolException("the last entry is cut short (" + (to - from) + " bytes)");
        }
        return false;
      }
      if (from > 0) {
        System.arraycopy(window, from, window, 0, to - from);
        to -= from;
        from = 0;
      }
      if (to == window.length) {
        if (window.length >= maxEntry) {
          throw new ForwardProtocolException.TooLarge("an entry of gzip entries", maxEntry, "chunk_size_limit");
        }
        window = Arrays.copyOf(window, (int) Math.min(maxEntry, 2L * window.length));
      }
      return true;
    }

    /** Inflates into the window until it is full or the data ended; the total is checked as it grows. */
    void fill() {
      try {
        while (to < window.length && !ended) {
          int r = z.read(window, to, window.length - to);
          if (r < 0) {
            ended = true;
            break;
          }
          to += r;
          inflated += r;
          if (inflated > inflatedLimit) {
            throw new ForwardProtocolException.TooLarge("gzip entries decompressed", inflatedLimit, "decompressed_size_limit");
          }
        }
      } catch (IOException e) {
        throw new ForwardProtocolException("bad gzip entries: " + e.getMessage(), e);
      }
    }

    @Override
    public void close() {
      try {
        z.close(); // the inflater's native memory now, not at a collection
      } catch (IOException ignored) {
        // nothing held
      }
    }
  }

  private static byte[] concat(List<byte[]> pieces, int length) {
    if (pieces.size() == 1) {
      return pieces.get(0);
    }
    byte[] all = new byte[length];
    int at = 0;
    for (byte[] p : pieces) {
      System.arraycopy(p, 0, all, at, p.length);
      at += p.length;
    }
    return all;
  }

  /** Where a walk stopped, the entries it walked, and their batch form when kept. */
  record Walk(int pos, int count, byte[] data) { }

  /**
   * Walks entries from {@code pos} (positions relative to {@code base}) while they fit before {@code limit}:
   * {@code max} of them, or all when {@code toEnd}; stops once {@code maxOut} bytes are out. With {@code more},
   * the data goes on past {@code limit}: an entry cut there is left for the next walk instead of failing. Entries
   * in the batch form are scanned and copied as they are; any other form is decoded and re-encoded. Without
   * {@code copy} nothing is kept: the walk only validates and counts.
   */
  static Walk walk(ByteBuf buf, int base, int limit, int pos, int max, boolean toEnd, boolean more, int maxOut,
      boolean copy, long[] stack) throws IOException {
    int start = pos;
    ByteArrayOutputStream rewritten = null;
    int out = 0; // bytes of entries in the batch form walked so far
    int count = 0;
    byte[] time = new byte[11];
    while ((toEnd ? pos < limit : count < max) && out < maxOut) {
      if (pos >= limit) {
        throw new ForwardProtocolException("the message ends after " + count + " of " + max + " entries");
      }
      int entryStart = pos;
      int entryLimit = limit;
      if (more) {
        int end = FrameScanner.valueEnd(buf, base + pos, base + limit, Long.MAX_VALUE, stack);
        if (end == FrameScanner.INCOMPLETE) {
          break;
        }
        entryLimit = end - base;
      }
      if (pos + 12 <= entryLimit && buf.getUnsignedByte(base + pos) == 0x92
          && buf.getUnsignedByte(base + pos + 1) == 0xd7 && buf.getByte(base + pos + 2) == 0) {
        pos = recordEnd(buf, base, entryLimit, pos + 11, count, stack);
        if (rewritten != null) {
          copy(buf, base + entryStart, pos - entryStart, rewritten);
        }
        out += pos - entryStart;
      } else {
        long t;
        int recStart;
        try (MessageUnpacker in = MessagePack.newDefaultUnpacker(buf.nioBuffer(base + pos, entryLimit - pos))) {
          if (in.getNextFormat().getValueType() != ValueType.ARRAY) {
            throw new ForwardProtocolException("entry " + count + " must be [time, record], got "
                + in.getNextFormat().getValueType());
          }
          int n = in.unpackArrayHeader();
          if (n != 2) {
            throw new ForwardProtocolException("entry " + count + " must be [time, record], got an array of " + n);
          }
          if (in.getNextFormat().getValueType() == ValueType.ARRAY) {
            // Fluent Bit: [[time, metadata], record]
            int m = in.unpackArrayHeader();
            if (m < 1) {
              throw new ForwardProtocolException("entry " + count + " has an empty [time, metadata] array");
            }
            t = Unpacking.readTime(in);
            for (int i = 1; i < m; i++) {
              in.skipValue();
            }
          } else {
            t = Unpacking.readTime(in);
          }
          recStart = pos + (int) in.getTotalReadBytes();
        } catch (MessagePackException e) {
          throw new ForwardProtocolException("entry " + count + ": " + e.getMessage(), e);
        }
        int recEnd = recordEnd(buf, base, entryLimit, recStart, count, stack);
        int head = MsgpackHeaders.entryHead(time, 0, t);
        if (copy) {
          if (rewritten == null) {
            long guess = (limit - start) + (limit - start) / 4L;
            rewritten = new ByteArrayOutputStream((int) Math.max(64, Math.min(Math.min(maxOut, PART) + 64L, guess)));
            copy(buf, base + start, entryStart - start, rewritten);
          }
          rewritten.write(time, 0, head);
          copy(buf, base + recStart, recEnd - recStart, rewritten);
        }
        out += head + recEnd - recStart;
        pos = recEnd;
      }
      count++;
    }
    if (!copy) {
      return new Walk(pos, count, null);
    }
    if (rewritten != null) {
      return new Walk(pos, count, rewritten.toByteArray());
    }
    byte[] d = new byte[pos - start];
    buf.getBytes(base + start, d);
    return new Walk(pos, count, d);
  }

  /** End of the record (a map) at {@code pos}, checked for depth; positions relative to {@code base}. */
  static int recordEnd(ByteBuf buf, int base, int limit, int pos, int entry, long[] stack) {
    if (pos >= limit) {
      throw new ForwardProtocolException("entry " + entry + " ends before its record");
    }
    int b = buf.getUnsignedByte(base + pos);
    if (!(b >= 0x80 && b <= 0x8f || b == 0xde || b == 0xdf)) {
      throw new ForwardProtocolException(String.format("entry %d: record must be a map, got a value starting "
          + "with 0x%02x", entry, b));
    }
    int end = FrameScanner.mapEnd(buf, base + pos, base + limit, limit, stack);
    if (end == FrameScanner.INCOMPLETE) {
      throw new ForwardProtocolException("entry " + entry + " is cut short");
    }
    return end - base;
  }

  private static void copy(ByteBuf buf, int from, int len, ByteArrayOutputStream out) {
    byte[] b = new byte[len];
    buf.getBytes(from, b);
    out.write(b, 0, len);
  }
}
