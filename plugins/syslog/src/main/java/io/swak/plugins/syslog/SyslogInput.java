package io.swak.plugins.syslog;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.nio.NioEventLoopGroup;
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
import io.swak.support.BatchQueue;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * in.Syslog: a Netty server. Network threads split the stream into messages, parse each one straight into the
 * msgpack of a batch and hand the batch to the task thread through a {@link BatchQueue} bounded in bytes. Syslog
 * has no acknowledgements: a sender's message counts as received once read.
 */
final class SyslogInput implements Input {

  static final Logger LOG = LoggerFactory.getLogger("swak.syslog");

  final SyslogInputPlugin.Options o;
  final BatchQueue queue;
  final AtomicInteger open = new AtomicInteger();
  StepMetrics metrics;
  StepContext context;
  private EventLoopGroup boss;
  private EventLoopGroup workers;
  private Channel server;
  private int port;

  /** What each network thread uses for the messages it reads: one parser and one batch being built. */
  final class Worker {
    final SyslogParser parser = new SyslogParser(o.format(), o.zone(), o.messageKey(), o.sourceAddressKey());
    final EntryBuffer entries = new EntryBuffer();
    byte[] scratch = new byte[1 << 16];
    /** Who the entries belong to, so that they go to that connection's hand-over. */
    Object owner;
    long rfc5424;
    long rfc3164;
    long unparsed;
    long truncated;

    byte[] scratch(int n) {
      if (scratch.length < n) {
        scratch = new byte[Math.max(n, scratch.length * 2)];
      }
      return scratch;
    }

    void count(SyslogParser.Kind k) {
      switch (k) {
        case RFC5424 -> rfc5424++;
        case RFC3164 -> rfc3164++;
        default -> unparsed++;
      }
    }

    /** Publishes the counts of the messages read since the last call (per read burst, not per message). */
    void publish() {
      if (rfc5424 > 0) {
        metrics.count("messages_rfc5424", rfc5424);
        rfc5424 = 0;
      }
      if (rfc3164 > 0) {
        metrics.count("messages_rfc3164", rfc3164);
        rfc3164 = 0;
      }
      if (unparsed > 0) {
        metrics.count("unparsed_messages", unparsed);
        unparsed = 0;
      }
      if (truncated > 0) {
        metrics.count("truncated_messages", truncated);
        truncated = 0;
      }
    }
  }

  private final ThreadLocal<Worker> workerOfThread = ThreadLocal.withInitial(Worker::new);

  SyslogInput(SyslogInputPlugin.Options options) {
    this.o = options;
    this.queue = new BatchQueue(options.queueLimit().bytes());
  }

  Worker worker() {
    return workerOfThread.get();
  }

  /** The port listened on (the bound one when the option is 0). */
  int port() {
    return port;
  }

  @Override
  public void start(StepContext ctx) throws Exception {
    this.context = ctx;
    this.metrics = ctx.metrics();
    try {
      listen();
    } catch (Exception e) {
      close(); // a failed start is not closed by the runtime
      if (e instanceof BindException) {
        throw new IOException("cannot listen on " + o.bind() + ":" + o.port() + " (" + o.protocol().name()
            .toLowerCase() + "): " + e.getMessage() + " (another process or another input uses the port)", e);
      }
      throw e;
    }
  }

  private void listen() throws Exception {
    metrics.gauge("connections_open", open::get);
    workers = new NioEventLoopGroup(o.threads(), new DefaultThreadFactory("swak-syslog", true));
    if (o.protocol() == SyslogInputPlugin.Protocol.UDP) {
      int max = (int) Math.min(o.maxMessageSize().bytes(), 65_535);
      server = new Bootstrap().group(workers).channel(NioDatagramChannel.class)
          .option(ChannelOption.SO_RCVBUF, (int) Math.min(Integer.MAX_VALUE, o.receiveBufferSize().bytes()))
          // one byte more than kept: a datagram that fills it was longer, and is counted as truncated
          .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(max + 1))
          .handler(new SyslogDatagrams(this, max))
          .bind(o.bind(), o.port()).sync().channel();
    } else {
      SslContext ssl = null;
      if (o.protocol() == SyslogInputPlugin.Protocol.TLS) {
        SslContextBuilder b = SslContextBuilder.forServer(o.certFile().toFile(), o.keyFile().toFile());
        if (o.caFile() != null) {
          b.trustManager(o.caFile().toFile()).clientAuth(ClientAuth.REQUIRE);
        }
        ssl = b.build();
      }
      final SslContext sslContext = ssl;
      boss = new NioEventLoopGroup(1, new DefaultThreadFactory("swak-syslog-accept", true));
      server = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
          .option(ChannelOption.SO_BACKLOG, 1024)
          .option(ChannelOption.SO_REUSEADDR, true)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              int n = open.incrementAndGet();
              ch.closeFuture().addListener(f -> open.decrementAndGet());
              if (n > o.maxConnections()) {
                metrics.count("refused_connections", 1);
                if (n == o.maxConnections() + 1) {
                  LOG.warn("in.Syslog: refused {}: {} connections open (max_connections {})", ch.remoteAddress(),
                      n - 1, o.maxConnections());
                }
                ch.close();
                return;
              }
              metrics.count("connections", 1);
              if (sslContext != null) {
                ch.pipeline().addLast(sslContext.newHandler(ch.alloc()));
              }
              ch.pipeline().addLast(new SyslogStream(SyslogInput.this, ch.remoteAddress()));
            }
          })
          .bind(o.bind(), o.port()).sync().channel();
    }
    port = ((InetSocketAddress) server.localAddress()).getPort();
    LOG.info("in.Syslog: listening on {}:{} ({})", o.bind(), port, o.protocol().name().toLowerCase());
  }

  @Override
  public Batch poll(Duration maxWait) throws InterruptedException {
    return queue.poll(maxWait);
  }

  @Override
  public void close() {
    if (server != null) {
      server.close().syncUninterruptibly();
      server = null;
    }
    if (boss != null) {
      boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
      boss = null;
    }
    if (workers != null) {
      workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
      workers = null;
    }
  }
}
