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
        }
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
        long len = c.rawLength(c.u8());
        if (len < 0) {
          throw new IOException("only PackedForward messages are counted (entries as bin or str)");
        }
        c.skip(len);
        long count = 0;
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
            } else {
              String v = c.str();
              if (k.equals("chunk")) {
                chunk = v;
              }
            }
          }
        }
        if (first == 0) {
          first = System.nanoTime();
          firstEpochNanos = epochNanos();
        }
        long total = events.addAndGet(count);
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

  static long epochNanos() {
    java.time.Instant now = java.time.Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }
}
