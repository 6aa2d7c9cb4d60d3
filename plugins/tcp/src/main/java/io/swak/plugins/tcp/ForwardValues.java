package io.swak.plugins.tcp;

import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.MsgpackException;
import io.swak.api.MsgpackHeaders;
import io.swak.api.MsgpackReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The msgpack formats of in.Tcp. {@code msgpack}: each value is an entry {@code [time, record]} (kept as it
 * is) or a record (timed on receipt). {@code forward}: each value is a Forward-protocol message in any mode
 * (Message, Forward, PackedForward, CompressedPackedForward with gzip), its tag kept; a message with a
 * {@code chunk} option is acknowledged ({@code {"ack": chunk}}) once the task accepted it, as Fluentd clients
 * waiting for acks expect. A well-formed value of another shape is skipped and counted: the stream goes on.
 */
final class ForwardValues {

  private final TcpConnection conn;
  private final TcpReceiver r;
  private final Entries entries = new Entries();
  private final MsgpackScan scan = new MsgpackScan();
  private long invalid;
  private long invalidEntries;

  ForwardValues(TcpConnection conn, TcpReceiver r) {
    this.conn = conn;
    this.r = r;
  }

  /** Format msgpack: an entry or a record. */
  boolean record(byte[] b, int s, int e) {
    EntryBuffer out = conn.out();
    if (entries.isEntry(b, s, e)) {
      out.entries(b, s, e - s, 1);
    } else if (MsgpackScan.isMap(b, s)) {
      out.entryHead(conn.now());
      out.raw(b, s, e - s);
      out.count++;
    } else {
      invalid++;
    }
    return true;
  }

  /** Format forward: one message; false when the entries before it could not go on yet (retried later). */
  boolean message(byte[] b, int s, int e) throws IOException {
    MsgpackReader in = new MsgpackReader(b, s, e - s);
    try {
      if (in.nextType() != MsgpackReader.Type.ARRAY) {
        invalid++;
        return true;
      }
      int n = in.readArrayHeader();
      if (n < 2 || n > 4 || in.nextType() != MsgpackReader.Type.STRING) {
        invalid++;
        return true;
      }
      String tag = in.readString();
      if (tag.isEmpty()) {
        invalid++;
        return true;
      }
      MsgpackReader.Type t = in.nextType();
      if (t == MsgpackReader.Type.ARRAY) {
        int m = in.readArrayHeader();
        int from = in.position();
        for (int i = 0; i < m; i++) {
          in.skipValue();
        }
        int to = in.position();
        String chunk = n >= 3 ? options(in).chunk : null;
        return take(tag, b, from, to, m, chunk);
      }
      if (t == MsgpackReader.Type.BINARY || t == MsgpackReader.Type.STRING) {
        int len = in.readBinaryLength();
        int from = in.position();
        in.skip(len);
        Options opt = n >= 3 ? options(in) : new Options();
        if (opt.gzip) {
          byte[] plain = gunzip(b, from, len);
          if (plain == null) {
            return true;
          }
          return take(tag, plain, 0, plain.length, -1, opt.chunk);
        }
        return take(tag, b, from, from + len, -1, opt.chunk);
      }
      // Message mode: [tag, time, record(, options)]
      int ts = in.position();
      in.readTime();
      int rs = in.position();
      if (in.nextType() != MsgpackReader.Type.MAP) {
        invalid++;
        return true;
      }
      in.skipValue();
      int re = in.position();
      String chunk = n >= 4 ? options(in).chunk : null;
      byte[] entry = new byte[1 + re - ts];
      entry[0] = (byte) 0x92;
      System.arraycopy(b, ts, entry, 1, rs - ts);
      System.arraycopy(b, rs, entry, 1 + rs - ts, re - rs);
      return take(tag, entry, 0, entry.length, -1, chunk);
    } catch (MsgpackException x) {
      invalid++;
      return true;
    }
  }

  /** The options map of a message: {@code chunk} and {@code compressed}; other keys are ignored. */
  private static Options options(MsgpackReader in) {
    Options o = new Options();
    if (!in.hasNext() || in.nextType() != MsgpackReader.Type.MAP) {
      return o;
    }
    int n = in.readMapHeader();
    for (int i = 0; i < n; i++) {
      String k = in.nextType() == MsgpackReader.Type.STRING ? in.readString() : null;
      if (k == null) {
        in.skipValue();
        in.skipValue();
        continue;
      }
      if (k.equals("chunk") && in.nextType() == MsgpackReader.Type.STRING) {
        o.chunk = in.readString();
      } else if (k.equals("compressed") && in.nextType() == MsgpackReader.Type.STRING) {
        o.gzip = in.readString().equals("gzip");
      } else {
        in.skipValue();
      }
    }
    return o;
  }

  private static final class Options {
    String chunk;
    boolean gzip;
  }

  /**
   * Appends the entries of {@code b[from, to)} under {@code tag}, each checked (a bad one is skipped and
   * counted); with a chunk id they go on as a batch of their own whose ack answers the client.
   */
  private boolean take(String tag, byte[] b, int from, int to, int expected, String chunk) {
    if (chunk != null && !conn.flushNow()) {
      return false; // a chunk leaves as a batch of its own: what came before it goes first
    }
    if (!conn.tag(tag)) {
      return false;
    }
    EntryBuffer out = conn.out();
    int marked = out.count;
    int p = from;
    while (p < to) {
      int ve;
      try {
        ve = scan.valueEnd(b, p, to);
      } catch (MsgpackScan.Incomplete | MsgpackScan.Malformed x) {
        invalidEntries++; // the rest of the entries cannot be told apart
        break;
      }
      if (entries.isEntry(b, p, ve)) {
        out.entries(b, p, ve - p, 1);
      } else {
        invalidEntries++;
      }
      p = ve;
    }
    if (chunk == null) {
      return true;
    }
    byte[] reply = ackReply(chunk);
    Ack ack = new Ack() {
      private boolean sent;

      @Override
      public synchronized void done() {
        if (!sent) {
          sent = true;
          conn.reply(reply);
          r.metrics.count("acks_sent", 1);
        }
      }
    };
    if (out.count == marked) {
      ack.done();
      return true;
    }
    conn.handOwned(ack);
    return true;
  }

  /** {@code {"ack": chunk}}. */
  static byte[] ackReply(String chunk) {
    byte[] c = chunk.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[16 + c.length];
    int p = MsgpackHeaders.map(out, 0, 1);
    p = MsgpackHeaders.str(out, p, "ack".getBytes(StandardCharsets.US_ASCII));
    p = MsgpackHeaders.str(out, p, c);
    return Arrays.copyOf(out, p);
  }

  /** A CompressedPackedForward payload, decompressed up to the limit; null (counted) when broken or too big. */
  private byte[] gunzip(byte[] b, int from, int len) {
    long limit = r.options.decompressedSizeLimit().bytes();
    StreamDecoder.Gunzip g = new StreamDecoder.Gunzip();
    try {
      ByteBuffer in = ByteBuffer.wrap(b, from, len);
      byte[] out = new byte[Math.max(1024, Math.min(len * 4, (int) Math.min(limit, 1 << 24)))];
      int n = 0;
      while (true) {
        if (n == out.length) {
          if (out.length >= limit) {
            r.metrics.count("protocol_errors", 1);
            r.warn("bomb", "in.Tcp: a compressed message from " + conn.peer() + " decompresses to more than "
                + "decompressed_size_limit (" + r.options.decompressedSizeLimit() + "); dropped");
            return null;
          }
          out = Arrays.copyOf(out, (int) Math.min(limit, out.length * 2L));
        }
        int k = g.decode(in, out, n, out.length - n);
        if (k == 0 && !in.hasRemaining()) {
          if (!g.atMemberEnd()) {
            throw new IOException("the gzip data ends in the middle of a member");
          }
          return Arrays.copyOf(out, n);
        }
        n += k;
      }
    } catch (IOException e) {
      invalid++;
      return null;
    } finally {
      g.close();
    }
  }

  void report(String peer) {
    if (invalid > 0) {
      r.metrics.count("invalid_messages", invalid);
      r.warn("invalid", "in.Tcp: skipped values from " + peer + " that are not " + (r.options.framing()
          == TcpInputPlugin.Format.FORWARD ? "Forward messages" : "entries or records") + " (counter invalid_messages)");
      invalid = 0;
    }
    if (invalidEntries > 0) {
      r.metrics.count("invalid_entries", invalidEntries);
      r.warn("entries", "in.Tcp: skipped entries from " + peer + " that are not [time, record] (counter "
          + "invalid_entries)");
      invalidEntries = 0;
    }
  }
}
