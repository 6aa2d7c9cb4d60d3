// A minimal Forward-protocol receiver for benchmarks: accepts connections, frames messages, counts the
// entries of PackedForward/CompressedPackedForward/Forward messages by their `size` option (or the
// entries array), answers acks, and exits after EXPECTED events, printing the rate.
// Run: java -cp 'swak-dist/target/lib/*' bench/FastReceiver.java PORT EXPECTED
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

public class FastReceiver {
  static final AtomicLong events = new AtomicLong();
  static volatile long first;

  public static void main(String[] a) throws Exception {
    int port = Integer.parseInt(a[0]);
    long expected = Long.parseLong(a[1]);
    try (ServerSocket ss = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
      System.out.println("receiver: listening on 127.0.0.1:" + port);
      Thread t = new Thread(() -> {
        while (true) {
          try {
            Socket s = ss.accept();
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
      double secs = (System.nanoTime() - first) / 1e9;
      System.out.printf("receiver: %d events in %.2f s = %.0f events/s%n", events.get(), secs, events.get() / secs);
    }
  }

  static void serve(Socket s, long expected) {
    try (s; MessageUnpacker in = MessagePack.newDefaultUnpacker(new DataInputStream(s.getInputStream()))) {
      OutputStream out = s.getOutputStream();
      while (in.hasNext()) {
        int n = in.unpackArrayHeader();
        in.unpackString(); // tag
        int count;
        if (in.getNextFormat().getValueType() == ValueType.ARRAY) {
          count = in.unpackArrayHeader();
          for (int i = 0; i < count; i++) {
            in.skipValue();
          }
        } else if (in.getNextFormat().getValueType() == ValueType.BINARY
            || in.getNextFormat().getValueType() == ValueType.STRING) {
          int len = in.getNextFormat().getValueType() == ValueType.BINARY ? in.unpackBinaryHeader()
              : in.unpackRawStringHeader();
          skip(in, len);
          count = -1;
        } else {
          in.skipValue();
          in.skipValue();
          count = 1;
        }
        String chunk = null;
        if (n >= 3 && !(count == 1 && n == 3)) {
          int m = in.unpackMapHeader();
          for (int i = 0; i < m; i++) {
            String k = in.unpackString();
            if (k.equals("size")) {
              int sz = in.unpackInt();
              if (count < 0) {
                count = sz;
              }
            } else if (k.equals("chunk")) {
              chunk = in.unpackString();
            } else {
              in.skipValue();
            }
          }
        }
        if (first == 0) {
          first = System.nanoTime();
        }
        long total = events.addAndGet(Math.max(0, count));
        if (chunk != null) {
          var p = MessagePack.newDefaultBufferPacker();
          p.packMapHeader(1);
          p.packString("ack");
          p.packString(chunk);
          out.write(p.toByteArray());
          out.flush();
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

  static void skip(MessageUnpacker in, int len) throws Exception {
    byte[] b = new byte[65536];
    while (len > 0) {
      int k = Math.min(len, b.length);
      in.readPayload(b, 0, k);
      len -= k;
    }
  }
}
