// A minimal Forward-protocol receiver for benchmarks: accepts connections, reads PackedForward and
// CompressedPackedForward messages ([tag, bin|str entries, {size, chunk, compressed}]), counts their
// entries by the `size` option, answers acks, and exits after EXPECTED events. It parses only the few
// bytes around the entries and skips the entries where they lie in its 4 MiB read buffer, so its CPU
// is mostly the kernel's copy: it must not be the bottleneck of what it measures (its CPU is printed).
// Prints the wall-clock times (epoch nanoseconds) of the first and the last event, so a script can
// measure from the moment it started the agent: "receiver: first_ns=… last_ns=…".
// With ACK_DELAY_MS (a third argument) each ack leaves that long after its message arrived, without
// holding up the reading: a server a network round trip away, or one that stores a chunk before acking.
// Run: java -cp bench/target/classes FastReceiver PORT EXPECTED [ACK_DELAY_MS] (bench/fluentd-out.sh compiles it)
// With LATENCY=1 in the environment it also reads each line's `t=<epoch microseconds>` (bench/TrickleWriter.java
// writes it) and prints the latency from write to arrival at p50/p99/max; with IDLE_MS=N it gives up N ms after
// the last event once one came, printing what it got (a run that lost events still reports).
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

public class FastReceiver {
  static final AtomicLong events = new AtomicLong();
  static volatile long first;
  static volatile long firstEpochNanos;
  static long ackDelayMillis;
  static final boolean LATENCY = "1".equals(System.getenv("LATENCY"));
  static final long IDLE_MS = Long.parseLong(System.getenv().getOrDefault("IDLE_MS", "0"));
  static volatile long lastEventNanos;
  /** Latencies in milliseconds: counts per millisecond up to a minute. */
  static final java.util.concurrent.atomic.AtomicLongArray LATENCY_MS = new java.util.concurrent.atomic.AtomicLongArray(60_001);
  static final ScheduledExecutorService ACKS = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "acks");
    t.setDaemon(true);
    return t;
  });

  public static void main(String[] a) throws Exception {
    int port = Integer.parseInt(a[0]);
    long expected = Long.parseLong(a[1]);
    ackDelayMillis = a.length > 2 ? Long.parseLong(a[2]) : 0;
    try (ServerSocketChannel ss = ServerSocketChannel.open()) {
      ss.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
      System.out.println("receiver: listening on 127.0.0.1:" + port);
      Thread t = new Thread(() -> {
        while (true) {
          try {
            SocketChannel s = ss.accept();
            Thread h = new Thread(() -> serve(s, expected));
            h.setDaemon(true);
            h.start();
          } catch (Exception e) {
            return;
          }
        }
      });
      t.setDaemon(true);
      t.start();
      synchronized (events) {
        while (events.get() < expected) {
          events.wait(100);
          if (IDLE_MS > 0 && first != 0 && System.nanoTime() - lastEventNanos > IDLE_MS * 1_000_000L) {
            System.out.println("receiver: idle for " + IDLE_MS + " ms: giving up");
            break;
          }
        }
      }
      if (LATENCY) {
        printLatency();
      }
      long lastEpochNanos = epochNanos();
      double secs = (System.nanoTime() - first) / 1e9;
      System.out.printf("receiver: %d events in %.2f s = %.0f events/s from its first message%n", events.get(), secs,
          events.get() / secs);
      System.out.printf("receiver: first_ns=%d last_ns=%d%n", firstEpochNanos, lastEpochNanos);
    }
  }

  /** Reads one connection: the buffer holds unread bytes between position and limit. */
  static final class Conn {
    final SocketChannel ch;
    // direct: the kernel copies into it, where a heap buffer costs the JDK a second copy out of its own direct one
    final ByteBuffer buf = ByteBuffer.allocateDirect(4 << 20).flip();

    Conn(SocketChannel ch) {
      this.ch = ch;
    }

    void need(int n) throws IOException {
      while (buf.remaining() < n) {
        buf.compact();
        int r = ch.read(buf);
        buf.flip();
        if (r < 0) {
          throw new EOFException();
        }
      }
    }

    int u8() throws IOException {
      need(1);
      return buf.get() & 0xff;
    }

    long uint(int bytes) throws IOException {
      need(bytes);
      long v = 0;
      for (int i = 0; i < bytes; i++) {
        v = v << 8 | (buf.get() & 0xff);
      }
      return v;
    }

    void skip(long n) throws IOException {
      while (n > 0) {
        if (!buf.hasRemaining()) {
          need(1);
        }
        int k = (int) Math.min(n, buf.remaining());
        buf.position(buf.position() + k);
        n -= k;
      }
    }

    /** Length of a str or bin value whose type byte is {@code b}; -1 if it is neither. */
    long rawLength(int b) throws IOException {
      if ((b & 0xe0) == 0xa0) {
        return b & 0x1f;
      }
      switch (b) {
        case 0xc4: case 0xd9: return uint(1);
        case 0xc5: case 0xda: return uint(2);
        case 0xc6: case 0xdb: return uint(4);
        default: return -1;
      }
    }

    String str() throws IOException {
      int b = u8();
      long n = rawLength(b);
      if (n < 0) {
        throw new IOException("expected a string, got type byte 0x" + Integer.toHexString(b));
      }
      need((int) n);
      byte[] bytes = new byte[(int) n];
      buf.get(bytes);
      return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Skips any msgpack value; with LATENCY, the strings in it are scanned for `t=<micros>`. */
    void skipValue() throws IOException {
      int b = u8();
      long n = rawLength(b);
      if (n >= 0) {
        if (LATENCY) {
          latencies(this, n);
        } else {
          skip(n);
        }
        return;
      }
      if (b < 0x80 || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3) {
        return; // fixint, nil, booleans
      }
      if ((b & 0xf0) == 0x80 || (b & 0xf0) == 0x90) {
        long items = (b & 0x0f) * ((b & 0xf0) == 0x80 ? 2L : 1L);
        for (long i = 0; i < items; i++) {
          skipValue();
        }
        return;
      }
      switch (b) {
        case 0xdc: case 0xdd: case 0xde: case 0xdf: {
          long items = uint(b == 0xdc || b == 0xde ? 2 : 4) * (b >= 0xde ? 2 : 1);
          for (long i = 0; i < items; i++) {
            skipValue();
          }
          return;
        }
        case 0xcc: case 0xd0: skip(1); return;
        case 0xcd: case 0xd1: skip(2); return;
        case 0xca: case 0xce: case 0xd2: skip(4); return;
        case 0xcb: case 0xcf: case 0xd3: skip(8); return;
        case 0xd4: skip(2); return;
        case 0xd5: skip(3); return;
        case 0xd6: skip(5); return;
        case 0xd7: skip(9); return;
        case 0xd8: skip(17); return;
        case 0xc7: skip(uint(1) + 1); return;
        case 0xc8: skip(uint(2) + 1); return;
        case 0xc9: skip(uint(4) + 1); return;
        default: throw new IOException("unknown msgpack type byte 0x" + Integer.toHexString(b));
      }
    }

    long integer() throws IOException {
      int b = u8();
      if (b < 0x80) {
        return b;
      }
      switch (b) {
        case 0xcc: return uint(1);
        case 0xcd: return uint(2);
        case 0xce: return uint(4);
        case 0xcf: case 0xd3: return uint(8);
        case 0xd0: return (byte) uint(1);
        case 0xd1: return (short) uint(2);
        case 0xd2: return (int) uint(4);
        default: throw new IOException("expected an integer, got type byte 0x" + Integer.toHexString(b));
      }
    }
  }

  static void send(SocketChannel s, ByteBuffer ack) {
    try {
      while (ack.hasRemaining()) {
        s.write(ack);
      }
    } catch (IOException e) {
      // the client went away: it sends the chunk again
    }
  }

  static void serve(SocketChannel s, long expected) {
    try (s) {
      s.socket().setReceiveBufferSize(1 << 20);
      Conn c = new Conn(s);
      while (true) {
        int head = c.u8();
        if ((head & 0xf0) != 0x90) {
          throw new IOException("not a forward message: type byte 0x" + Integer.toHexString(head));
        }
        c.str(); // tag
        int kind = c.u8();
        long len = c.rawLength(kind);
        long forwardEntries = -1;
        if (len < 0) {
          // Forward mode (what Fluent Bit sends without compression): an array of [time, record] entries
          forwardEntries = (kind & 0xf0) == 0x90 ? kind & 0x0f : kind == 0xdc ? c.uint(2) : kind == 0xdd ? c.uint(4) : -1;
          if (forwardEntries < 0) {
            throw new IOException("not a PackedForward or Forward message: type byte 0x" + Integer.toHexString(kind));
          }
          for (long i = 0; i < forwardEntries; i++) {
            c.skipValue();
          }
        } else if (LATENCY) {
          latencies(c, len);
        } else {
          c.skip(len);
        }
        long count = forwardEntries < 0 ? 0 : forwardEntries;
        String chunk = null;
        if ((head & 0x0f) >= 3) {
          int m = c.u8();
          if ((m & 0xf0) != 0x80) {
            throw new IOException("options must be a small map");
          }
          for (int i = 0; i < (m & 0x0f); i++) {
            String k = c.str();
            if (k.equals("size")) {
              count = c.integer();
            } else if (k.equals("chunk")) {
              chunk = c.str();
            } else {
              c.skipValue(); // fluent_signal, compressed
            }
          }
        }
        if (first == 0) {
          first = System.nanoTime();
          firstEpochNanos = epochNanos();
        }
        long total = events.addAndGet(count);
        lastEventNanos = System.nanoTime();
        if (chunk != null) {
          byte[] id = chunk.getBytes(StandardCharsets.UTF_8);
          ByteBuffer ack = ByteBuffer.allocate(6 + id.length);
          ack.put((byte) 0x81).put((byte) 0xa3).put("ack".getBytes(StandardCharsets.US_ASCII));
          ack.put((byte) (0xa0 | id.length)).put(id).flip(); // chunk ids are base64 of 16 bytes: < 32
          if (ackDelayMillis > 0) {
            ACKS.schedule(() -> send(s, ack), ackDelayMillis, TimeUnit.MILLISECONDS);
          } else {
            send(s, ack);
          }
        }
        if (total >= expected) {
          synchronized (events) {
            events.notifyAll();
          }
        }
      }
    } catch (EOFException e) {
      // client closed
    } catch (Exception e) {
      System.err.println("receiver: " + e);
    }
  }

  /** Reads the entries and counts the latency of every `t=<micros>` in them. */
  static void latencies(Conn c, long len) throws IOException {
    long nowMicros = epochNanos() / 1000;
    long left = len;
    int state = 0; // 0: looking for 't', 1: saw 't', 2: in digits
    long t = 0;
    int digits = 0; // a `t=` without digits is not a time (a base64 chunk id of out.Fluentd's can end in "t==")
    while (left > 0) {
      c.need(1);
      int b = c.buf.get() & 0xff;
      left--;
      if (state == 2 && b >= '0' && b <= '9') {
        t = t * 10 + (b - '0');
        digits++;
        continue;
      }
      if (state == 2 && digits > 0) {
        long ms = Math.max(0, (nowMicros - t) / 1000);
        LATENCY_MS.incrementAndGet((int) Math.min(ms, 60_000));
      }
      state = b == 't' ? 1 : state == 1 && b == '=' ? 2 : 0;
      t = 0;
      digits = 0;
    }
    if (state == 2 && digits > 0) { // the number ended with the string
      LATENCY_MS.incrementAndGet((int) Math.min(Math.max(0, (nowMicros - t) / 1000), 60_000));
    }
  }

  static void printLatency() {
    long n = 0;
    for (int i = 0; i < LATENCY_MS.length(); i++) {
      n += LATENCY_MS.get(i);
    }
    long seen = 0;
    long p50 = -1;
    long p99 = -1;
    long max = 0;
    for (int i = 0; i < LATENCY_MS.length(); i++) {
      long k = LATENCY_MS.get(i);
      if (k == 0) {
        continue;
      }
      seen += k;
      max = i;
      if (p50 < 0 && seen * 2 >= n) {
        p50 = i;
      }
      if (p99 < 0 && seen * 100 >= n * 99) {
        p99 = i;
      }
    }
    long overSecond = 0;
    for (int i = 1001; i < LATENCY_MS.length(); i++) {
      overSecond += LATENCY_MS.get(i);
    }
    System.out.printf("receiver: latency of %d lines: p50=%d ms p99=%d ms max=%d ms (%d over 1 s)%n", n, p50, p99, max,
        overSecond);
  }

  static long epochNanos() {
    java.time.Instant now = java.time.Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }
}
