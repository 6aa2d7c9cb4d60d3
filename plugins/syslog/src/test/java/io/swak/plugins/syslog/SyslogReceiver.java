package io.swak.plugins.syslog;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A minimal syslog server for out.Syslog's tests: reads RFC 6587 octet-counted messages on a loopback port and
 * keeps them in arrival order. It can stop listening (a server that is down) and listen again on the same port.
 */
final class SyslogReceiver implements AutoCloseable {

  final int port;
  final List<String> messages = new CopyOnWriteArrayList<>();
  /** The messages as their bytes, for checks that bytes which are not UTF-8 pass unchanged. */
  final List<byte[]> raw = new CopyOnWriteArrayList<>();
  private final List<Socket> connections = new CopyOnWriteArrayList<>();
  private final List<Thread> readers = new CopyOnWriteArrayList<>();
  private volatile ServerSocket server;

  SyslogReceiver() throws IOException {
    ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.port = s.getLocalPort();
    serve(s);
  }

  private void serve(ServerSocket s) {
    server = s;
    Thread t = new Thread(() -> {
      while (!s.isClosed()) {
        try {
          Socket c = s.accept();
          connections.add(c);
          Thread r = new Thread(() -> read(c), "syslog-receiver-read");
          readers.add(r);
          r.start();
        } catch (IOException closed) {
          return;
        }
      }
    }, "syslog-receiver-accept");
    t.setDaemon(true);
    t.start();
  }

  private void read(Socket c) {
    try (c; InputStream stream = c.getInputStream(); DataInputStream in = new DataInputStream(stream)) {
      while (true) {
        int n = 0;
        int b;
        while ((b = in.read()) != ' ') {
          if (b < 0) {
            return;
          }
          if (b < '0' || b > '9') {
            throw new IOException("not octet counted: " + (char) b);
          }
          n = n * 10 + (b - '0');
        }
        byte[] m = new byte[n];
        in.readFully(m);
        raw.add(m);
        messages.add(new String(m, StandardCharsets.UTF_8));
      }
    } catch (EOFException torn) {
      // a message cut by the sender's close is not one
    } catch (IOException e) {
      // the test closed the connection
    }
  }

  /** Stops listening and drops every connection. */
  void down() throws IOException {
    server.close();
    for (Socket c : connections) {
      c.close();
    }
    connections.clear();
  }

  void up() throws IOException {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
    serve(s);
  }

  /** Waits until every connection the sender closed has been read to its end (bounded). */
  void drained() throws InterruptedException {
    for (Thread r : new ArrayList<>(readers)) {
      r.join(TimeUnit.SECONDS.toMillis(3));
    }
  }

  @Override
  public void close() throws IOException {
    down();
  }
}
