package io.swak.core.testing;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Loopback ports free for TCP and UDP at once, for peers configured before they start. */
public final class Ports {

  private Ports() { }

  public static int free() throws IOException {
    for (int i = 0; i < 50; i++) {
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
          DatagramSocket d = new DatagramSocket(s.getLocalPort(), InetAddress.getLoopbackAddress())) {
        return s.getLocalPort();
      } catch (IOException taken) {
        // the UDP side of that port is in use: try another
      }
    }
    throw new IOException("no free port on 127.0.0.1");
  }
}
