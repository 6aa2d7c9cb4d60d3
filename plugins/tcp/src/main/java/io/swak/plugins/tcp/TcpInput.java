package io.swak.plugins.tcp;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.swak.api.Batch;
import io.swak.api.Input;
import io.swak.api.StepContext;
import io.swak.support.BatchQueue;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * in.Tcp: a Netty server whose network threads decode connections into batches and hand them to the task
 * thread through a {@link BatchQueue} bounded in bytes; while it is full no socket is read.
 */
final class TcpInput implements Input {

  private static final Logger LOG = LoggerFactory.getLogger("swak.tcp");

  private final TcpInputPlugin.Options o;
  private final BatchQueue queue;
  private EventLoopGroup boss;
  private EventLoopGroup workers;
  private Channel server;
  private int port;
  private TcpReceiver receiver;

  TcpInput(TcpInputPlugin.Options options) {
    this.o = options;
    this.queue = new BatchQueue(options.queueLimit().bytes());
  }

  /** The port listened on (the bound one when the option is 0). */
  int port() {
    return port;
  }

  TcpReceiver receiver() {
    return receiver;
  }

  @Override
  public void start(StepContext ctx) throws Exception {
    try {
      listen(ctx);
    } catch (Exception e) {
      close(); // a failed start is not closed by the runtime: release the threads here
      if (e instanceof java.net.BindException) {
        throw new java.io.IOException("cannot listen on " + o.bind() + ":" + o.port() + ": " + e.getMessage()
            + " (another process, or another input, uses the port)", e);
      }
      throw e;
    }
  }

  private void listen(StepContext ctx) throws Exception {
    receiver = new TcpReceiver(o, queue, ctx);
    SslContext ssl = null;
    if (o.tls()) {
      SslContextBuilder b = SslContextBuilder.forServer(o.certFile().toFile(), o.keyFile().toFile());
      if (o.caFile() != null) {
        b.trustManager(o.caFile().toFile()).clientAuth(ClientAuth.REQUIRE);
      }
      ssl = b.build();
    }
    AtomicInteger accepted = new AtomicInteger();
    boss = new NioEventLoopGroup(1, new DefaultThreadFactory("swak-tcp-accept", true));
    workers = new NioEventLoopGroup(o.threads(), new DefaultThreadFactory("swak-tcp", true));
    final SslContext sslContext = ssl;
    TcpReceiver r = receiver;
    ServerBootstrap sb = new ServerBootstrap()
        .group(boss, workers)
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 1024)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.SO_KEEPALIVE, true)
        // reads of 64 KiB: what the decoders take at a time; a pool arena per network thread, small chunks
        .childOption(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(1 << 16))
        .childOption(ChannelOption.ALLOCATOR, new PooledByteBufAllocator(true, 0, o.threads(), 8192, 7))
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            int n = accepted.incrementAndGet();
            ch.closeFuture().addListener(f -> accepted.decrementAndGet());
            if (n > o.maxConnections()) {
              r.metrics.count("refused_connections", 1);
              r.warn("refused", "in.Tcp: refused " + ch.remoteAddress() + ": " + (n - 1) + " connections open "
                  + "(max_connections " + o.maxConnections() + ")");
              ch.close();
              return;
            }
            r.metrics.count("connections", 1);
            if (sslContext != null) {
              ch.pipeline().addLast(sslContext.newHandler(ch.alloc()));
            }
            TcpConnection c = new TcpConnection(r);
            r.opened(c);
            ch.pipeline().addLast(c);
          }
        });
    server = sb.bind(o.bind(), o.port()).sync().channel();
    port = ((InetSocketAddress) server.localAddress()).getPort();
    LOG.info("in.Tcp: listening on {}:{} ({}{})", o.bind(), port, o.format(),
        ssl != null ? ", TLS" : "");
  }

  @Override
  public Batch poll(Duration maxWait) throws InterruptedException {
    return queue.poll(maxWait);
  }

  /** Closes the listener and the connections; a second call does nothing. */
  @Override
  public void close() {
    if (server != null) {
      server.close().syncUninterruptibly();
      server = null;
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
