package io.swak.plugins.otlp;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.swak.api.Batch;
import io.swak.api.Input;
import io.swak.api.StepContext;
import io.swak.api.StepMetrics;
import io.swak.support.BatchQueue;
import io.swak.support.ByteBudget;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * in.OpenTelemetry: a Netty server on the network threads, which also decode requests, hands batches to the task
 * thread through a {@link BatchQueue}; each request is answered when the task acknowledged its batches. Both ports
 * speak both protocols: a connection that opens with the HTTP/2 preface is HTTP/2 (gRPC, or OTLP/HTTP over h2),
 * anything else HTTP/1.1.
 */
final class OtlpInput implements Input {

  private static final Logger LOG = LoggerFactory.getLogger("swak.otlp");

  private final OpenTelemetryInputPlugin.Options o;
  private final BatchQueue queue;
  private EventLoopGroup group;
  private final List<Channel> servers = new ArrayList<>();
  private Receiver receiver;
  private int port = -1;
  private int grpcPort = -1;

  OtlpInput(OpenTelemetryInputPlugin.Options options) {
    this.o = options;
    this.queue = new BatchQueue(options.queueLimit().bytes());
  }

  /** The OTLP/HTTP port listened on (the bound one when the option is 0). */
  int port() {
    return port;
  }

  /** The gRPC port listened on, or -1. */
  int grpcPort() {
    return grpcPort;
  }

  @Override
  public void start(StepContext ctx) throws Exception {
    try {
      listen(ctx);
    } catch (Exception e) {
      close(); // a failed start is not closed by the runtime: release the threads here
      throw e;
    }
  }

  private void listen(StepContext ctx) throws Exception {
    StepMetrics metrics = ctx.metrics();
    ByteBudget budget = new ByteBudget(o.memoryLimit().bytes());
    receiver = new Receiver(o, queue, metrics, ctx::nowNanos, budget);
    SslContext ssl = null;
    if (o.tls()) {
      SslContextBuilder b = SslContextBuilder.forServer(o.certFile().toFile(), o.keyFile().toFile())
          .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
              ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
              ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_2,
              ApplicationProtocolNames.HTTP_1_1));
      if (o.caFile() != null) {
        b.trustManager(o.caFile().toFile()).clientAuth(ClientAuth.REQUIRE);
      }
      ssl = b.build();
    }
    metrics.gauge("queue_bytes", queue::bytes);
    metrics.gauge("request_bytes", budget::used);
    AtomicInteger open = new AtomicInteger();
    metrics.gauge("connections_open", open::get);
    group = new NioEventLoopGroup(o.threads(), new DefaultThreadFactory("swak-otlp", true));
    Connections.Shared shared = new Connections.Shared(o, receiver, budget, metrics);
    final SslContext sslContext = ssl;
    long idle = o.idleTimeout().toMillis();
    ServerBootstrap sb = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 1024)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        // one arena per network thread, 1 MiB chunks (as in.Forward: Netty's default costs ~15 MiB of RSS)
        .childOption(ChannelOption.ALLOCATOR, new PooledByteBufAllocator(false, o.threads(), 0, 8192, 7))
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            int n = open.incrementAndGet();
            ch.closeFuture().addListener(f -> open.decrementAndGet());
            if (n > o.maxConnections()) {
              metrics.count("refused_connections", 1);
              LOG.warn("in.OpenTelemetry: refused {}: {} connections open (max_connections {})", ch.remoteAddress(),
                  n - 1, o.maxConnections());
              ch.close();
              return;
            }
            metrics.count("connections", 1);
            if (sslContext != null) {
              ch.pipeline().addLast(sslContext.newHandler(ch.alloc()));
            }
            if (idle > 0) {
              ch.pipeline().addLast(new IdleStateHandler(0, 0, idle, TimeUnit.MILLISECONDS));
            }
            ch.pipeline().addLast(new Connections.Sniffer(shared));
          }
        });
    Channel http = bind(sb, o.port(), "port");
    servers.add(http);
    port = ((InetSocketAddress) http.localAddress()).getPort();
    if (o.grpcPort() >= 0) {
      Channel grpc = bind(sb, o.grpcPort(), "grpc_port");
      servers.add(grpc);
      grpcPort = ((InetSocketAddress) grpc.localAddress()).getPort();
    }
    LOG.info("in.OpenTelemetry: listening on {}:{} (OTLP/HTTP){}{}", o.bind(), port,
        grpcPort >= 0 ? " and " + o.bind() + ":" + grpcPort + " (OTLP/gRPC)" : "", ssl != null ? ", TLS" : "");
  }

  private Channel bind(ServerBootstrap sb, int p, String option) throws Exception {
    try {
      return sb.bind(o.bind(), p).sync().channel();
    } catch (Exception e) {
      if (e instanceof java.net.BindException || e.getCause() instanceof java.net.BindException) {
        throw new java.io.IOException("cannot listen on " + o.bind() + ":" + p + " (option `" + option + "`): "
            + e.getMessage() + " (another process, or another in.OpenTelemetry, uses the port)", e);
      }
      throw e;
    }
  }

  @Override
  public Batch poll(Duration maxWait) throws InterruptedException {
    return queue.poll(maxWait);
  }

  /**
   * Stops listening, answers every request still waiting "unavailable" (its client sends it again), drops what the
   * task had not taken yet (never acknowledged, so sent again too) and closes the connections.
   */
  @Override
  public void close() {
    for (Channel s : servers) {
      s.close().syncUninterruptibly();
    }
    servers.clear();
    int dropped = queue.close();
    if (dropped > 0) {
      LOG.info("in.OpenTelemetry: {} batches not taken by the task; their clients are told to send them again",
          dropped);
    }
    if (receiver != null) {
      receiver.closeAll();
    }
    if (group != null) {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
      group = null;
    }
  }
}
