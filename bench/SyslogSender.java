// A fast syslog sender for benchmarks: writes TOTAL RFC 5424 messages (~130 bytes, octet-counted, RFC 6587)
// over CONNS TCP connections at once, as fast as the receiver reads them.
// Run: java bench/SyslogSender.java HOST PORT TOTAL [CONNS]
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

public class SyslogSender {
  public static void main(String[] a) throws Exception {
    String host = a[0];
    int port = Integer.parseInt(a[1]);
    long total = Long.parseLong(a[2]);
    int conns = a.length > 3 ? Integer.parseInt(a[3]) : 1;
    // one pre-framed block of 1000 messages, numbers varying, repeated
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 1000; i++) {
      String m = "<165>1 2026-03-04T05:06:07.123456Z web-" + (i % 16) + " shop " + (4000 + i)
          + " ORDER [order@32473 id=\"" + i + "\"] order " + i + " placed by customer " + (i * 7919 % 100000);
      b.append(m.length()).append(' ').append(m);
    }
    byte[] block = b.toString().getBytes(StandardCharsets.UTF_8);
    long blocks = total / 1000;
    long t0 = System.nanoTime();
    Thread[] ts = new Thread[conns];
    for (int c = 0; c < conns; c++) {
      long mine = blocks / conns + (c < blocks % conns ? 1 : 0);
      ts[c] = new Thread(() -> {
        try (Socket s = new Socket(host, port)) {
          OutputStream out = s.getOutputStream();
          for (long i = 0; i < mine; i++) {
            out.write(block);
          }
          out.flush();
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      });
      ts[c].start();
    }
    for (Thread t : ts) {
      t.join();
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    System.out.printf("sender: %d messages (%d bytes each on average) in %.2f s%n", blocks * 1000,
        block.length / 1000, secs);
  }
}
