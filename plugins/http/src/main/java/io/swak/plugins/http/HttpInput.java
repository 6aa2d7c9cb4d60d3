package io.swak.plugins.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpContentDecompressor;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.swak.api.Batch;
import io.swak.api.Input;
import io.swak.api.StepContext;
import io.swak.api.StepMetrics;
import io.swak.support.ByteBudget;
import io.swak.support.WarnEvery;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * in.Http: a Netty HTTP/1.1 server. A request's body becomes one batch whose acknowledgement sends the answer,
 * so a client hears 200 only once the task accepted its events; a connection reads its next request only then.
 * Batches wait for the task thread in a queue bounded in bytes; a request that finds it full is answered 429.
 */
final class HttpInput implements Input {

  static final Logger LOG = LoggerFactory.getLogger("swak.http");

  final HttpInputPlugin.Options o;
  final AtomicInteger open = new AtomicInteger();
  final String expectedAuth;
  /** Request bodies being received, all connections together (memory_limit). */
  final ByteBudget bodies;
  private final WarnEvery warnEvery = WarnEvery.tenSeconds();
  StepMetrics metrics;
  StepContext context;
  private final ArrayDeque<Batch> queue = new ArrayDeque<>();
  private long queued;
  private volatile boolean stopping;
  private EventLoopGroup boss;
  private EventLoopGroup workers;
  private Channel server;
  private int port;

  HttpInput(HttpInputPlugin.Options options) {
    this.o = options;
    this.bodies = new ByteBudget(memoryLimit(options));
    if (options.bearerToken() != null) {
      expectedAuth = "Bearer " + options.bearerToken();
    } else if (options.basicUser() != null) {
      expectedAuth = "Basic " + Base64.getEncoder().encodeToString((options.basicUser() + ":"
          + options.basicPassword()).getBytes(StandardCharsets.UTF_8));
    } else {
      expectedAuth = null;
    }
  }

  /** memory_limit, by default max_body_size + 8 MiB: one largest body and others beside it. */
  static long memoryLimit(HttpInputPlugin.Options o) {
    return o.memoryLimit() != null ? o.memoryLimit().bytes() : o.maxBodySize().bytes() + (8 << 20);
  }

  /** Logs {@code message} unless this input logged one in the last ten seconds (the counters have them all). */
  void warn(String message) {
    if (warnEvery.due()) {
      LOG.warn(message);
    }
  }

  int port() {
    return port;
  }

  boolean stopping() {
    return stopping;
  }

  /** Queues a request's batch for the task unless the queue is full (an empty queue takes any batch). */
  synchronized boolean offer(Batch b) {
    if (!queue.isEmpty() && queued + b.length() > o.queueLimit().bytes()) {
      return false;
    }
    queue.addLast(b);
    queued += b.length();
    notifyAll();
    return true;
  }

  @Override
  public synchronized Batch poll(Duration maxWait) throws InterruptedException {
    long deadline = System.nanoTime() + maxWait.toNanos();
    while (queue.isEmpty()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return null;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    Batch b = queue.pollFirst();
    queued -= b.length();
    return b;
  }

  @Override
  public void start(StepContext ctx) throws Exception {
    this.context = ctx;
    this.metrics = ctx.metrics();
    metrics.gauge("connections_open", open::get);
    metrics.gauge("body_bytes", bodies::used);
    try {
      listen();
    } catch (Exception e) {
      close();
      if (e instanceof BindException) {
        throw new IOException("cannot listen on " + o.bind() + ":" + o.port() + ": " + e.getMessage()
            + " (another process or another input uses the port)", e);
      }
      throw e;
    }
  }

  private void listen() throws Exception {
    SslContext ssl = o.certFile() == null ? null
        : SslContextBuilder.forServer(o.certFile().toFile(), o.keyFile().toFile()).build();
    boss = new NioEventLoopGroup(1, new DefaultThreadFactory("swak-http-accept", true));
    workers = new NioEventLoopGroup(o.threads(), new DefaultThreadFactory("swak-http", true));
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
                LOG.warn("in.Http: refused {}: {} connections open (max_connections {})", ch.remoteAddress(),
                    n - 1, o.maxConnections());
              }
              ch.close();
              return;
            }
            if (ssl != null) {
              ch.pipeline().addLast(ssl.newHandler(ch.alloc()));
            }
            HttpRequests requests = new HttpRequests(HttpInput.this, ch);
            ch.pipeline().addLast(requests.clock());
            // the body goes on in pieces of at most 4 KiB, so one inflates to at most ~4 MiB (deflate's 1032x):
            // a gzip bomb grows its body a piece at a time within memory_limit and max_body_size, where one
            // 64 KiB piece inflated to ~64 MiB at once; max_body_size also bounds any one inflated piece
            ch.pipeline().addLast(new HttpServerCodec(8192, 16384, 4096));
            ch.pipeline().addLast(new HttpServerExpectContinueHandler());
            ch.pipeline().addLast(new HttpContentDecompressor(false, (int) o.maxBodySize().bytes()));
            ch.pipeline().addLast(requests);
          }
        })
        .bind(o.bind(), o.port()).sync().channel();
    port = ((InetSocketAddress) server.localAddress()).getPort();
    LOG.info("in.Http: listening on {}:{} ({})", o.bind(), port, ssl == null ? "http" : "https");
  }

  @Override
  public void close() {
    stopping = true;
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
