// A fast Forward-protocol sender for benchmarks: sends TOTAL events as PackedForward messages of BATCH
// events each (one pre-encoded message repeated), optionally waiting for each ack.
// Run: java -cp 'swak-dist/target/lib/*' bench/ForwardSender.java HOST PORT TOTAL BATCH [ack]
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Base64;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

public class ForwardSender {
  public static void main(String[] a) throws Exception {
    String host = a[0];
    int port = Integer.parseInt(a[1]);
    long total = Long.parseLong(a[2]);
    int batch = Integer.parseInt(a[3]);
    boolean ack = a.length > 4 && a[4].equals("ack");
    // entries: [EventTime, {"message": "<~100-byte access-log-like line>"}]
    MessageBufferPacker e = MessagePack.newDefaultBufferPacker();
    long sec = System.currentTimeMillis() / 1000;
    for (int i = 0; i < batch; i++) {
      e.packArrayHeader(2);
      e.packExtensionTypeHeader((byte) 0, 8);
      e.writePayload(new byte[] {(byte) (sec >>> 24), (byte) (sec >>> 16), (byte) (sec >>> 8), (byte) sec, 0, 0, 0,
          (byte) i});
      e.packMapHeader(1);
      e.packString("message");
      e.packString(String.format("127.0.0.1 - - [21/Nov/2026:10:00:00 +0000] \"GET /index/%08d HTTP/1.1\" 200 %d", i,
          1000 + i));
    }
    byte[] entries = e.toByteArray();
    try (Socket s = new Socket(host, port)) {
      s.setTcpNoDelay(true);
      OutputStream out = new BufferedOutputStream(s.getOutputStream(), 1 << 16);
      InputStream in = new DataInputStream(s.getInputStream());
      long sent = 0;
      long t0 = System.nanoTime();
      byte[] reply = new byte[64];
      while (sent < total) {
        MessageBufferPacker m = MessagePack.newDefaultBufferPacker();
        m.packArrayHeader(3);
        m.packString("bench.access");
        m.packBinaryHeader(entries.length);
        m.writePayload(entries);
        String chunk = ack ? Base64.getEncoder().encodeToString(java.nio.ByteBuffer.allocate(16).putLong(sent).array())
            : null;
        m.packMapHeader(ack ? 2 : 1);
        m.packString("size");
        m.packInt(batch);
        if (ack) {
          m.packString("chunk");
          m.packString(chunk);
        }
        out.write(m.toByteArray());
        sent += batch;
        if (ack) {
          out.flush();
          int need = 5 + 1 + chunk.length();
          int got = 0;
          while (got < need) {
            int r = in.read(reply, got, need - got);
            if (r < 0) {
              throw new IllegalStateException("server closed before acking");
            }
            got += r;
          }
        }
      }
      out.flush();
      double secs = (System.nanoTime() - t0) / 1e9;
      System.out.printf("sender: %d events in %.2f s = %.0f events/s%n", sent, secs, sent / secs);
    }
  }
}
