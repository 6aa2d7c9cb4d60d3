package io.swak.plugins.fluentd.input;

import io.swak.api.DataSize;
import io.swak.api.Option;
import io.swak.api.Plugin;
import java.nio.file.Path;
import java.util.List;

/** {@code in.Forward} (alias {@code in.Fluentd}): a Fluentd Forward-protocol server. */
public final class ForwardPlugin extends Plugin<ForwardPlugin.Options> {

  /** A user allowed in by the handshake when {@code users} is set. */
  public record User(
      @Option(value = "User name sent by the client.", required = true) String username,
      @Option(value = "Password of the user.", required = true) String password) { }

  /** Options of in.Forward. */
  public record Options(
      @Option(value = "Address to listen on. Listening beyond loopback exposes the port: use shared_key and tls.",
          defaultValue = "127.0.0.1") String bind,
      @Option(value = "TCP port for messages; the same UDP port answers heartbeats. 0 = any free port.",
          defaultValue = "24224") int port,
      @Option(value = "Prefix added to every received tag (with a dot), e.g. `relay` makes `app.x` `relay.app.x`.")
      String addTagPrefix,
      @Option(value = "Largest message accepted; a bigger one closes its connection.", defaultValue = "16MiB")
      DataSize chunkSizeLimit,
      @Option(value = "Largest size a gzip message may decompress to (zip bomb guard); it is decompressed and "
          + "passed on about 1 MiB at a time.", defaultValue = "64MiB")
      DataSize decompressedSizeLimit,
      @Option(value = "Memory for messages being received, across all connections; when it is in use, connections "
          + "wait without being read, and one that stalls or waits too long is closed. At least chunk_size_limit and "
          + "an eighth; default: chunk_size_limit + 8 MiB.") DataSize assemblyLimit,
      @Option(value = "Connections open at once; more are refused.", defaultValue = "1000") int maxConnections,
      @Option(value = "Bytes of received batches waiting for the task; when full, sockets are not read "
          + "(backpressure).", defaultValue = "16MiB") DataSize queueLimit,
      @Option(value = "Answer UDP heartbeats (one 0x00 byte) on the same port.", defaultValue = "true")
      boolean udpHeartbeat,
      @Option(value = "Network threads.", defaultValue = "1") int threads,
      @Option(value = "Require the HELO/PING/PONG handshake with this key (same as the clients' shared_key).")
      String sharedKey,
      @Option(value = "Host name sent in PONG; default: this machine's name.") String selfHostname,
      @Option(value = "With shared_key: clients must also log in as one of these users (username, password).")
      List<User> users,
      @Option(value = "When false, only clients whose address is in `clients` may connect.",
          defaultValue = "true") boolean allowAnonymousSource,
      @Option(value = "Client addresses (IP or host name) allowed when allow_anonymous_source is false.")
      List<String> clients,
      @Option(value = "Accept TLS connections only (cert_file and key_file required).", defaultValue = "false")
      boolean tls,
      @Option(value = "Server certificate chain, PEM.") Path certFile,
      @Option(value = "Server private key, PEM (PKCS#8).") Path keyFile,
      @Option(value = "With tls: require client certificates signed by these CAs (PEM).") Path caFile) {

    public Options {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("option `port`: " + port + " is not a port (0..65535)");
      }
      if (maxConnections < 1) {
        throw new IllegalArgumentException("option `max_connections` must be at least 1");
      }
      if (threads < 1) {
        throw new IllegalArgumentException("option `threads` must be at least 1");
      }
      if (chunkSizeLimit != null && chunkSizeLimit.bytes() < 1024) {
        throw new IllegalArgumentException("option `chunk_size_limit` must be at least 1KiB");
      }
      if (chunkSizeLimit != null && assemblyLimit != null
          && AssemblyMemory.largestMessage(assemblyLimit.bytes()) < chunkSizeLimit.bytes()) {
        throw new IllegalArgumentException("option `assembly_limit` (" + assemblyLimit + ") must leave room for a "
            + "whole message of chunk_size_limit (" + chunkSizeLimit + ") and an eighth for small ones: at least "
            + DataSize.ofBytes(minimumAssembly(chunkSizeLimit.bytes())));
      }
      users = users == null ? List.of() : List.copyOf(users);
      clients = clients == null ? List.of() : List.copyOf(clients);
      if (!users.isEmpty() && (sharedKey == null || sharedKey.isEmpty())) {
        throw new IllegalArgumentException("option `users` needs `shared_key`: users log in during the shared-key "
            + "handshake");
      }
      if (tls && (certFile == null || keyFile == null)) {
        throw new IllegalArgumentException("option `tls: true` needs `cert_file` and `key_file` (PEM)");
      }
      if (!allowAnonymousSource && clients.isEmpty()) {
        throw new IllegalArgumentException("option `allow_anonymous_source: false` needs `clients` (the addresses "
            + "allowed to connect)");
      }
    }

    /**
     * assembly_limit, or its default: chunk_size_limit + 8 MiB (more when that is too little for one message). The
     * receive buffers are most of what hostile clients can make the heap hold, and the collector keeps ~40 % free
     * around what is live: 24 MiB by default kept the launcher under 150 MiB RSS under every mix tried.
     */
    long assemblyLimitBytes() {
      if (assemblyLimit != null) {
        return assemblyLimit.bytes();
      }
      return Math.max(chunkSizeLimit.bytes() + (8 << 20), minimumAssembly(chunkSizeLimit.bytes()));
    }
  }

  /** The smallest assembly_limit that admits a message of {@code chunkSizeLimit} bytes, in whole MiB. */
  static long minimumAssembly(long chunkSizeLimit) {
    long l = (chunkSizeLimit + ForwardConnection.SMALL) * 8 / 7;
    while (AssemblyMemory.largestMessage(l) < chunkSizeLimit) {
      l++;
    }
    return (l + (1 << 20) - 1) >> 20 << 20;
  }

  public ForwardPlugin() {
    super("in.Forward", "Receives events from Fluentd, Fluent Bit, fluent-logger libraries and other Swak agents "
        + "(Fluentd Forward protocol: all modes, gzip, acks after downstream accepted, shared_key/users, TLS).",
        Options.class, ForwardInput::new, "in.Fluentd");
  }
}
