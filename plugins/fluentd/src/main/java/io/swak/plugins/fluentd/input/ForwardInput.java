package io.swak.plugins.fluentd.input;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.swak.api.Batch;
import io.swak.api.Input;
import io.swak.api.StepContext;
import io.swak.api.StepMetrics;
import io.swak.plugins.fluentd.protocol.ForwardDecoder;
import io.swak.plugins.fluentd.protocol.Handshake;
import io.swak.support.BatchQueue;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * in.Forward: a Netty server on the event loop threads hands batches to the task thread through a
 * {@link BatchQueue}. Acks go back to clients from whichever thread completes the batch's ack.
 */
final class ForwardInput implements Input {

  private static final Logger LOG = LoggerFactory.getLogger("swak.forward");

  private final ForwardPlugin.Options o;
  private final BatchQueue queue;
  private EventLoopGroup boss;
  private EventLoopGroup workers;
  private Channel server;
  private Channel udp;
  private int port;
  private volatile AssemblyMemory memory;

  ForwardInput(ForwardPlugin.Options options) {
    this.o = options;
    this.queue = new BatchQueue(options.queueLimit().bytes());
  }

  /** The port listened on (the bound one when the option is 0). */
  /** Memory held for messages being received, as the gauge assembly_bytes reports it. */
  long assemblyBytes() {
    return memory.used();
  }

  int port() {
    return port;
  }

  BatchQueue queue() {
    return queue;
  }

  @Override
  public void start(StepContext ctx) throws Exception {
    try {
      listen(ctx);
    } catch (Exception e) {
      close(); // a failed start is not closed by the runtime: release the threads here
      if (e instanceof java.net.BindException) {
        throw new java.io.IOException("cannot listen on " + o.bind() + ":" + o.port() + ": " + e.getMessage()
            + " (another process, or another in.Forward, uses the port)", e);
      }
      throw e;
    }
  }

  private void listen(StepContext ctx) throws Exception {
    StepMetrics metrics = ctx.metrics();
    SslContext ssl = null;
    if (o.tls()) {
      SslContextBuilder b = SslContextBuilder.forServer(o.certFile().toFile(), o.keyFile().toFile());
      if (o.caFile() != null) {
        b.trustManager(o.caFile().toFile()).clientAuth(ClientAuth.REQUIRE);
      }
      ssl = b.build();
    }
    Map<String, String> users = new LinkedHashMap<>();
    o.users().forEach(u -> users.put(u.username(), u.password()));
    String key = o.sharedKey() == null || o.sharedKey().isEmpty() ? null : o.sharedKey();
    long maxMessage = o.chunkSizeLimit().bytes();
    memory = new AssemblyMemory(o.assemblyLimitBytes());
    metrics.gauge("assembly_bytes", memory::used);
    // an entry of a gzip message must fit in memory whole, as one of a message that is not compressed does
    var decoder = new ForwardDecoder(o.decompressedSizeLimit().bytes(), maxMessage);
    var shared = new ForwardConnection.Shared(decoder, queue, metrics,
        o.addTagPrefix() == null || o.addTagPrefix().isEmpty() ? null : o.addTagPrefix(), key, hostname(), users,
        () -> Handshake.random(16), maxMessage, memory);
    Set<InetAddress> allowed = o.allowAnonymousSource() ? null : resolve(o);
    AtomicInteger open = new AtomicInteger();
    boss = new NioEventLoopGroup(1, new DefaultThreadFactory("swak-forward-accept", true));
    workers = new NioEventLoopGroup(o.threads(), new DefaultThreadFactory("swak-forward", true));
    final SslContext sslContext = ssl;
    ServerBootstrap sb = new ServerBootstrap()
        .group(boss, workers)
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 1024)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        // heap buffers where Netty lets us choose (frames that span reads are gathered in them); socket reads
        // still get Netty's direct io buffers (unpooled: no direct arena), and the decoder copies a frame from
        // those to an array. Forcing heap reads was tried: slower (the JDK then copies every read). One arena
        // per network thread and 1 MiB chunks (Netty's default: 2 per core, 4 MiB) keep the pool to what the
        // connections use; larger frames are allocated outside it. A direct arena per thread, so reads are
        // pooled too, was measured on the relay bench: 0.88 -> 1.02-1.09 CPU-s per million events, RSS +11-15 MiB
        .childOption(ChannelOption.ALLOCATOR, new PooledByteBufAllocator(false, o.threads(), 0, 8192, 7))
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            InetSocketAddress remote = ch.remoteAddress();
            if (allowed != null && (remote == null || !allowed.contains(remote.getAddress()))) {
              metrics.count("refused_connections", 1);
              LOG.warn("in.Forward: refused {}: not in `clients` and allow_anonymous_source is false", remote);
              ch.close();
              return;
            }
            int n = open.incrementAndGet();
            ch.closeFuture().addListener(f -> open.decrementAndGet());
            if (n > o.maxConnections()) {
              metrics.count("refused_connections", 1);
              LOG.warn("in.Forward: refused {}: {} connections open (max_connections {})", remote, n - 1,
                  o.maxConnections());
              ch.close();
              return;
            }
            metrics.count("connections", 1);
            if (sslContext != null) {
              ch.pipeline().addLast(sslContext.newHandler(ch.alloc()));
            }
            ForwardConnection connection = new ForwardConnection(shared);
            ch.config().setRecvByteBufAllocator(new BoundedReads(ch.config().getRecvByteBufAllocator(), connection));
            ch.pipeline().addLast(connection);
          }
        });
    server = sb.bind(o.bind(), o.port()).sync().channel();
    boss.scheduleAtFixedRate(memory::check, 1, 1, TimeUnit.SECONDS);
    port = ((InetSocketAddress) server.localAddress()).getPort();
    if (o.udpHeartbeat()) {
      udp = new Bootstrap().group(workers).channel(NioDatagramChannel.class)
          .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
            @Override
            protected void channelRead0(ChannelHandlerContext c, DatagramPacket p) {
              c.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(new byte[] {0}), p.sender()));
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
              LOG.debug("in.Forward: UDP heartbeat: {}", cause.toString());
            }
          })
          .bind(o.bind(), port).sync().channel();
    }
    LOG.info("in.Forward: listening on {}:{}{}{}", o.bind(), port, ssl != null ? " (TLS)" : "",
        key != null ? " with shared_key" + (users.isEmpty() ? "" : " and " + users.size() + " users") : "");
  }

  private String hostname() {
    if (o.selfHostname() != null && !o.selfHostname().isEmpty()) {
      return o.selfHostname();
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  private static Set<InetAddress> resolve(ForwardPlugin.Options o) throws UnknownHostException {
    Set<InetAddress> out = new java.util.HashSet<>();
    for (String c : o.clients()) {
      out.addAll(java.util.Arrays.asList(InetAddress.getAllByName(c)));
    }
    return out;
  }

  @Override
  public Batch poll(Duration maxWait) throws InterruptedException {
    return queue.poll(maxWait);
  }

  /** Closes the listeners and the connections; a second call does nothing. */
  @Override
  public void close() {
    if (server != null) {
      server.close().syncUninterruptibly();
      server = null;
    }
    if (udp != null) {
      udp.close().syncUninterruptibly();
      udp = null;
    }
    if (workers != null) {
      workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
      workers = null;
    }
    if (boss != null) {
      boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
      boss = null;
    }
  }
}
