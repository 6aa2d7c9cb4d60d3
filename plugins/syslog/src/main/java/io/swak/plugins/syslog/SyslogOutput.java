package io.swak.plugins.syslog;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.swak.api.Batch;
import io.swak.api.Output;
import io.swak.api.StepContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * out.Syslog. Over TCP and TLS a batch is one write of its framed messages on a kept connection (Netty), up to
 * {@link #WINDOW} batches on their way; a batch is delivered once written, since syslog has no acknowledgements.
 * A server that closed the connection (rsyslog restarting) is noticed by the read side before the next write, so
 * that batch goes on a new connection instead of into a dead one. Over UDP each message is a datagram.
 */
final class SyslogOutput implements Output {

  private static final Logger LOG = LoggerFactory.getLogger("swak.syslog");
  static final int WINDOW = 8;

  private final SyslogOutputPlugin.Options o;
  private final SyslogMessages messages;
  private StepContext context;
  private EventLoopGroup group;
  private Bootstrap bootstrap;
  private volatile Channel channel;
  private DatagramChannel udp;
  private volatile boolean closed;

  SyslogOutput(SyslogOutputPlugin.Options options) {
    this.o = options;
    this.messages = new SyslogMessages(options);
  }

  private boolean datagrams() {
    return o.protocol() == SyslogInputPlugin.Protocol.UDP;
  }

  @Override
  public void start(StepContext ctx) throws Exception {
    this.context = ctx;
    if (datagrams()) {
      return;
    }
    SslContext ssl = null;
    if (o.protocol() == SyslogInputPlugin.Protocol.TLS) {
      SslContextBuilder b = SslContextBuilder.forClient();
      if (o.tlsInsecure()) {
        b.trustManager(InsecureTrustManagerFactory.INSTANCE);
      } else if (o.caFile() != null) {
        b.trustManager(o.caFile().toFile());
      }
      if (o.certFile() != null) {
        b.keyManager(o.certFile().toFile(), o.keyFile().toFile());
      }
      ssl = b.build();
    }
    final SslContext sslContext = ssl;
    group = new NioEventLoopGroup(1, new DefaultThreadFactory("swak-syslog-out", true));
    bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, o.connectTimeout().toMillis()))
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            if (sslContext != null) {
              SSLEngine engine = sslContext.newEngine(ch.alloc(), o.host(), o.port());
              if (o.tlsVerifyHostname() && !o.tlsInsecure()) {
                SSLParameters p = engine.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS");
                engine.setSSLParameters(p);
              }
              ch.pipeline().addLast(new SslHandler(engine));
            }
            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
              @Override
              public void channelRead(ChannelHandlerContext c, Object msg) {
                ReferenceCountUtil.release(msg); // servers send nothing that matters; reading notices their close
              }

              @Override
              public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
                LOG.debug("out.Syslog: connection to {}:{}: {}", o.host(), o.port(), cause.toString());
                c.close();
              }
            });
          }
        });
  }

  @Override
  public int window() {
    return datagrams() ? 1 : WINDOW;
  }

  @Override
  public String atMostOnce() {
    return datagrams()
        ? "UDP syslog: a datagram counts as delivered once sent; one lost on the way or dropped by the server is "
            + "gone (use protocol tcp or tls)"
        : "a batch counts as delivered once written to the socket: syslog has no acknowledgements, so what the "
            + "server had not read when it crashed is lost";
  }

  @Override
  public void send(Batch batch, Receipt receipt) throws Exception {
    if (datagrams()) {
      write(batch);
      receipt.delivered();
      return;
    }
    byte[] payload = messages.encodeStream(batch);
    countTruncated();
    Channel ch = connected();
    ChannelFuture f = ch.writeAndFlush(Unpooled.wrappedBuffer(payload));
    var timeout = ch.eventLoop().schedule(() -> {
      if (!f.isDone()) {
        LOG.warn("out.Syslog: {}:{} took longer than send_timeout ({}) to take a batch; reconnecting", o.host(),
            o.port(), o.sendTimeout());
        ch.close();
      }
    }, o.sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
    f.addListener(done -> {
      timeout.cancel(false);
      if (done.isSuccess()) {
        receipt.delivered();
      } else {
        Throwable c = done.cause();
        receipt.failed("server " + o.host() + ":" + o.port() + ": " + (c == null ? "write failed"
            : c.getMessage() != null ? c.getMessage() : c.toString()));
      }
    });
  }

  private void countTruncated() {
    if (messages.truncated > 0) {
      context.metrics().count("truncated_messages", messages.truncated);
    }
  }

  /** The open connection, or a new one; fails with a message a user can act on. */
  private Channel connected() throws IOException, InterruptedException {
    if (closed) {
      throw new IOException("the output closed");
    }
    Channel ch = channel;
    if (ch != null && ch.isActive()) {
      return ch;
    }
    if (ch != null) {
      ch.close();
      channel = null;
    }
    ChannelFuture cf = bootstrap.connect(o.host(), o.port());
    if (!cf.await(o.connectTimeout().toMillis() + 1000) || !cf.isSuccess()) {
      cf.channel().close();
      Throwable c = cf.cause();
      throw new IOException("cannot connect to syslog server " + o.host() + ":" + o.port() + ": "
          + (c == null ? "timed out" : c.getMessage()));
    }
    ch = cf.channel();
    SslHandler tls = ch.pipeline().get(SslHandler.class);
    if (tls != null) {
      var hs = tls.handshakeFuture();
      if (!hs.await(o.connectTimeout().toMillis()) || !hs.isSuccess()) {
        ch.close();
        Throwable c = hs.cause();
        throw new IOException("TLS with syslog server " + o.host() + ":" + o.port() + " failed: "
            + (c == null ? "timed out" : withoutClassNames(c.getMessage())));
      }
    }
    context.metrics().count("connects", 1);
    channel = ch;
    return ch;
  }

  /** The JDK's TLS messages name exception classes ("...: java.security.cert.CertPathValidatorException: x"). */
  static String withoutClassNames(String m) {
    return m == null ? "" : m.replaceAll("\\b(?:[a-z]\\w*\\.)+[A-Z]\\w*(?:Exception|Error): ", "");
  }

  /** UDP: one datagram per message. */
  @Override
  public void write(Batch batch) throws Exception {
    List<byte[]> list = messages.messages(batch);
    countTruncated();
    if (udp == null) {
      udp = DatagramChannel.open();
      udp.connect(new InetSocketAddress(o.host(), o.port()));
    }
    try {
      for (byte[] m : list) {
        udp.write(ByteBuffer.wrap(m));
      }
    } catch (PortUnreachableException e) {
      closeUdp();
      throw new IOException("syslog server " + o.host() + ":" + o.port() + " (udp) is not listening", e);
    } catch (IOException e) {
      closeUdp();
      throw new IOException("cannot send to syslog server " + o.host() + ":" + o.port() + " (udp): "
          + e.getMessage(), e);
    }
  }

  private void closeUdp() {
    try {
      if (udp != null) {
        udp.close();
      }
    } catch (IOException ignored) {
      // closing a datagram socket that failed
    }
    udp = null;
  }

  @Override
  public void close() {
    closed = true;
    Channel ch = channel;
    if (ch != null) {
      ch.close().awaitUninterruptibly(2000);
    }
    closeUdp();
    if (group != null) {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
