package io.swak.plugins.fluentd.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Forward clients that try to make a server use too much memory: connections that each send most of a message
 * announced at nearly 16 MiB and then stall, and gzip bombs of valid entries. JDK only, so it also runs on its
 * own against a real agent: {@code java HostileClients.java HOST PORT [CONNECTIONS] [SECONDS]}.
 */
public final class HostileClients implements AutoCloseable {

  /** What one stalling connection announces: just under in.Forward's default chunk_size_limit. */
  public static final int ANNOUNCED = (16 << 20) - 1024;
  /** What it sends of it before stalling. */
  public static final int SENT = 15 << 20;

  private final String host;
  private final int port;
  private final List<Socket> sockets = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  /** Bytes the stalling connections got written (the rest is stuck behind the server's flow control). */
  public final AtomicLong written = new AtomicLong();
  /** Connections the server closed while they were writing or stalled. */
  public final AtomicLong closedByServer = new AtomicLong();

  public HostileClients(String host, int port) {
    this.host = host;
    this.port = port;
  }

  /** [tag, bin32 header of {@code announced} bytes: the start of a PackedForward message. */
  static byte[] packedHeader(String tag, int announced) {
    byte[] t = tag.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(0x93);
    b.write(0xa0 | t.length);
    b.write(t, 0, t.length);
    b.write(0xc6);
    b.write(announced >>> 24);
    b.write(announced >>> 16);
    b.write(announced >>> 8);
    b.write(announced);
    return b.toByteArray();
  }

  /** Opens {@code n} connections, each writing {@link #SENT} bytes of a message announced at {@link #ANNOUNCED}, then holding. */
  public void stallers(int n) {
    for (int i = 0; i < n; i++) {
      start("hostile-staller-" + i, () -> {
        try (Socket s = connect()) {
          OutputStream out = s.getOutputStream();
          out.write(packedHeader("hostile.big", ANNOUNCED));
          byte[] chunk = new byte[64 << 10];
          for (int sent = 0; sent < SENT; sent += chunk.length) {
            out.write(chunk);
            written.addAndGet(chunk.length);
          }
          out.flush();
          if (s.getInputStream().read() < 0) { // hold until the server gives up on us
            closedByServer.incrementAndGet();
          }
        } catch (IOException e) {
          closedByServer.incrementAndGet();
        }
      });
    }
  }

  /**
   * Opens {@code n} connections, each sending {@code head} and {@code sent} bytes of {@code filler} repeated,
   * then holding: a message the server cannot complete.
   */
  public void stallers(int n, byte[] head, int sent, byte[] filler) {
    for (int i = 0; i < n; i++) {
      start("hostile-" + i, () -> {
        try (Socket s = connect()) {
          OutputStream out = s.getOutputStream();
          out.write(head);
          byte[] chunk = new byte[(64 << 10) / filler.length * filler.length];
          for (int at = 0; at < chunk.length; at += filler.length) {
            System.arraycopy(filler, 0, chunk, at, filler.length);
          }
          for (int done = 0; done < sent; done += chunk.length) {
            out.write(chunk, 0, Math.min(chunk.length, sent - done));
            written.addAndGet(Math.min(chunk.length, sent - done));
          }
          out.flush();
          if (s.getInputStream().read() < 0) {
            closedByServer.incrementAndGet();
          }
        } catch (IOException e) {
          closedByServer.incrementAndGet();
        }
      });
    }
  }

  /** A Forward-mode message announcing {@code entries} entries: its size is only known as they arrive. */
  static byte[] forwardHeader(int entries) {
    byte[] out = packedHeader("hostile.fwd", 0); // then the bin32 header becomes an array32 one
    int p = out.length - 5;
    out[p] = (byte) 0xdd; // array32
    out[p + 1] = (byte) (entries >>> 24);
    out[p + 2] = (byte) (entries >>> 16);
    out[p + 3] = (byte) (entries >>> 8);
    out[p + 4] = (byte) entries;
    return out;
  }

  /**
   * A CompressedPackedForward message whose gzip data inflates to {@code inflated} bytes of valid entries
   * ({@code [EventTime, {"m": "aaa…"}]} over and over): what only a decompressed-size limit stops.
   */
  public static byte[] gzipBomb(long inflated) {
    byte[] entry = new byte[1024];
    entry[0] = (byte) 0x92;
    entry[1] = (byte) 0xd7;
    entry[2] = 0;
    entry[3] = 0x65; // EventTime 0x65000000 s, 0 ns
    // {"m": str16 of the rest}
    int p = 11;
    entry[p++] = (byte) 0x81;
    entry[p++] = (byte) 0xa1;
    entry[p++] = 'm';
    int len = entry.length - p - 3;
    entry[p++] = (byte) 0xda;
    entry[p++] = (byte) (len >>> 8);
    entry[p++] = (byte) len;
    java.util.Arrays.fill(entry, p, entry.length, (byte) 'a');
    byte[] block = new byte[1 << 20];
    for (int i = 0; i < block.length; i += entry.length) {
      System.arraycopy(entry, 0, block, i, entry.length);
    }
    ByteArrayOutputStream z = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(z, 1 << 16) {
      {
        def.setLevel(Deflater.BEST_COMPRESSION);
      }
    }) {
      for (long done = 0; done < inflated; done += block.length) {
        g.write(block);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] gz = z.toByteArray();
    ByteArrayOutputStream m = new ByteArrayOutputStream();
    byte[] head = packedHeader("hostile.bomb", gz.length);
    m.write(head, 0, head.length);
    m.write(gz, 0, gz.length);
    byte[] opts = {(byte) 0x81, (byte) 0xaa, 'c', 'o', 'm', 'p', 'r', 'e', 's', 's', 'e', 'd', (byte) 0xa4, 'g', 'z',
        'i', 'p'};
    m.write(opts, 0, opts.length);
    return m.toByteArray();
  }

  /** Sends {@code message} on {@code n} connections at once; each holds until the server closes it. */
  public void bombs(byte[] message, int n) {
    for (int i = 0; i < n; i++) {
      start("hostile-bomb-" + i, () -> {
        try (Socket s = connect()) {
          s.getOutputStream().write(message);
          s.getOutputStream().flush();
          InputStream in = s.getInputStream();
          if (in.read() < 0) {
            closedByServer.incrementAndGet();
          }
        } catch (IOException e) {
          closedByServer.incrementAndGet();
        }
      });
    }
  }

  /**
   * Opens {@code n} connections that announce a 1 MiB message and send it a byte every {@code pauseMillis}
   * (slowloris): never stalled long enough to look dead, never complete.
   */
  public void slowloris(int n, int pauseMillis) {
    for (int i = 0; i < n; i++) {
      start("hostile-slowloris-" + i, () -> {
        try (Socket s = connect()) {
          OutputStream out = s.getOutputStream();
          out.write(packedHeader("hostile.slow", 1 << 20));
          for (int sent = 0; sent < 1 << 20; sent++) {
            out.write(0);
            out.flush();
            written.incrementAndGet();
            Thread.sleep(pauseMillis); // the attack's pace, not a test's synchronisation
          }
        } catch (IOException e) {
          closedByServer.incrementAndGet();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
    }
  }

  /**
   * Opens {@code n} connections that lie: a PackedForward header announcing 2 GiB - 1, then bytes; and as many
   * that send bytes no Forward message starts with. Each holds until the server closes it.
   */
  public void liars(int n) {
    byte[] huge = packedHeader("hostile.liar", Integer.MAX_VALUE);
    byte[] garbage = new byte[4096];
    java.util.Arrays.fill(garbage, (byte) 0xc1); // the one byte msgpack never uses
    for (int i = 0; i < 2 * n; i++) {
      byte[] head = i % 2 == 0 ? huge : garbage;
      start("hostile-liar-" + i, () -> {
        try (Socket s = connect()) {
          s.getOutputStream().write(head);
          s.getOutputStream().write(new byte[64 << 10]);
          s.getOutputStream().flush();
          if (s.getInputStream().read() < 0) {
            closedByServer.incrementAndGet();
          }
        } catch (IOException e) {
          closedByServer.incrementAndGet();
        }
      });
    }
  }

  private Socket connect() throws IOException {
    Socket s = new Socket();
    synchronized (sockets) {
      sockets.add(s);
    }
    s.connect(new InetSocketAddress(host, port), 10_000);
    return s;
  }

  private void start(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
    threads.add(t);
  }

  @Override
  public void close() throws InterruptedException {
    synchronized (sockets) {
      for (Socket s : sockets) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing
        }
      }
    }
    for (Thread t : threads) {
      t.join(5000);
    }
  }

  /**
   * A well-behaved client: small PackedForward messages with a chunk id, one at a time, each waiting for its ack
   * (at most {@code ackWait} ms). Returns how many were acked.
   */
  public static int politeClient(String host, int port, int messages, int ackWaitMillis) throws IOException {
    int acked = 0;
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 10_000);
      s.setSoTimeout(ackWaitMillis);
      byte[] entry = {(byte) 0x92, (byte) 0xd7, 0, 0x65, 0, 0, 0, 0, 0, 0, 0, (byte) 0x81, (byte) 0xa1, 'm',
          (byte) 0xa2, 'o', 'k'};
      for (int i = 0; i < messages; i++) {
        String chunk = "polite-" + i;
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        byte[] head = packedHeader("polite", entry.length);
        m.write(head, 0, head.length);
        m.write(entry, 0, entry.length);
        m.write(0x81);
        m.write(0xa5);
        m.write("chunk".getBytes(StandardCharsets.US_ASCII), 0, 5);
        m.write(0xa0 | chunk.length());
        m.write(chunk.getBytes(StandardCharsets.US_ASCII), 0, chunk.length());
        s.getOutputStream().write(m.toByteArray());
        // {"ack": chunk}: fixmap 1, "ack", the chunk as sent
        ByteArrayOutputStream want = new ByteArrayOutputStream();
        want.write(0x81);
        want.write(0xa3);
        want.write("ack".getBytes(StandardCharsets.US_ASCII), 0, 3);
        want.write(0xa0 | chunk.length());
        want.write(chunk.getBytes(StandardCharsets.US_ASCII), 0, chunk.length());
        byte[] reply = s.getInputStream().readNBytes(want.size());
        if (java.util.Arrays.equals(reply, want.toByteArray())) {
          acked++;
        }
      }
    }
    return acked;
  }

  /**
   * Runs a hostile load against a server, with a polite client checking it is served once a second:
   * {@code java HostileClients.java HOST PORT SECONDS [KIND=COUNT...]}, KIND being {@code stallers} (15 MiB of a
   * ~16 MiB PackedForward), {@code small} (59 KiB of a 60 KiB one), {@code forward} (15 MiB of a Forward-mode array
   * of 10 M entries), {@code json} (15 MiB of an unfinished JSON message) or {@code bombs} (gzip inflating to 1 GiB).
   * Default: stallers=40 bombs=2.
   */
  public static void main(String[] args) throws Exception {
    String host = args[0];
    int port = Integer.parseInt(args[1]);
    int seconds = Integer.parseInt(args[2]);
    java.util.Map<String, Integer> kinds = new java.util.LinkedHashMap<>();
    for (int i = 3; i < args.length; i++) {
      String[] kv = args[i].split("=");
      kinds.put(kv[0], Integer.parseInt(kv[1]));
    }
    if (kinds.isEmpty()) {
      kinds.put("stallers", 40);
      kinds.put("bombs", 2);
    }
    try (HostileClients h = new HostileClients(host, port)) {
      for (var k : kinds.entrySet()) {
        int n = k.getValue();
        switch (k.getKey()) {
          case "stallers" -> h.stallers(n);
          case "small" -> h.stallers(n, packedHeader("hostile.small", 60 << 10), 59 << 10, new byte[] {0});
          // entries [1, {}]: 3 bytes each
          case "forward" -> h.stallers(n, forwardHeader(10_000_000), 15 << 20, new byte[] {(byte) 0x92, 1, (byte) 0x80});
          case "json" -> h.stallers(n, "[\"hostile.json\", [[1, {\"m\": \"".getBytes(StandardCharsets.US_ASCII),
              15 << 20, new byte[] {'a'});
          case "bombs" -> {
            byte[] bomb = gzipBomb(1L << 30);
            System.out.println("gzip bomb: " + bomb.length + " bytes inflating to 1 GiB");
            h.bombs(bomb, n);
          }
          default -> throw new IllegalArgumentException("unknown kind " + k.getKey());
        }
      }
      long end = System.nanoTime() + seconds * 1_000_000_000L;
      while (System.nanoTime() < end) {
        long t0 = System.nanoTime();
        int acked = politeClient(host, port, 10, 30_000);
        System.out.printf("polite client: %d of 10 acked in %d ms; hostile clients wrote %d MiB, %d closed by the "
            + "server%n", acked, (System.nanoTime() - t0) / 1_000_000, h.written.get() >> 20, h.closedByServer.get());
        Thread.sleep(1000); // a standalone load driver's pace, not a test's synchronisation
      }
    }
  }
}
