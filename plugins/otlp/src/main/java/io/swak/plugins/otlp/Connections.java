package io.swak.plugins.otlp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.swak.api.StepMetrics;
import io.swak.support.ByteBudget;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** How a connection is set up: which protocol it speaks, and the guards against idle and slow clients. */
final class Connections {

  static final Logger LOG = LoggerFactory.getLogger("swak.otlp");

  private Connections() { }

  /** What every connection of one input shares. */
  record Shared(OpenTelemetryInputPlugin.Options options, Receiver receiver, ByteBudget budget, StepMetrics metrics) { }

  /** Per connection: requests (HTTP/1.1) or streams (HTTP/2) in progress, so an idle check spares busy ones. */
  static final class Activity {
    final AtomicInteger active = new AtomicInteger();
  }

  private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  /**
   * Reads the first bytes: the HTTP/2 connection preface (prior knowledge, what gRPC clients send on plain TCP, and
   * what follows ALPN h2 under TLS) makes an HTTP/2 connection, anything else an HTTP/1.1 one. Then steps aside,
   * passing on what it read.
   */
  static final class Sniffer extends ByteToMessageDecoder {
    private final Shared shared;
    private final Activity activity = new Activity();

    Sniffer(Shared shared) {
      this.shared = shared;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
      int n = Math.min(in.readableBytes(), PREFACE.length);
      for (int i = 0; i < n; i++) {
        if (in.getByte(in.readerIndex() + i) != PREFACE[i]) {
          http1(ctx);
          return;
        }
      }
      if (n == PREFACE.length) {
        http2(ctx);
      }
    }

    private void http1(ChannelHandlerContext ctx) {
      OpenTelemetryInputPlugin.Options o = shared.options();
      SlowClientGuard guard = new SlowClientGuard(o.readTimeout().toMillis(), shared.metrics(), activity);
      ctx.pipeline().addAfter(ctx.name(), "idle-check", new IdleCloser(activity));
      ctx.pipeline().addAfter("idle-check", "slow-client-guard", guard);
      // headers up to 16 KiB; bodies come in chunks of up to 64 KiB, gathered by the exchange within body_limit
      ctx.pipeline().addAfter("slow-client-guard", "http", new HttpServerCodec(4096, 16384, 65536));
      ctx.pipeline().addAfter("http", "otlp", new Http1Exchange(shared, guard, activity));
      ctx.pipeline().remove(this);
    }

    private void http2(ChannelHandlerContext ctx) {
      OpenTelemetryInputPlugin.Options o = shared.options();
      shared.metrics().count("http2_connections", 1);
      ctx.pipeline().addAfter(ctx.name(), "idle-check", new IdleCloser(activity));
      ctx.pipeline().addAfter("idle-check", "h2", Http2FrameCodecBuilder.forServer()
          .initialSettings(Http2Settings.defaultSettings()
              .maxConcurrentStreams(o.maxConcurrentStreams())
              .maxHeaderListSize(16384))
          .build());
      ctx.pipeline().addAfter("h2", "streams", new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
        @Override
        protected void initChannel(Http2StreamChannel ch) {
          ch.pipeline().addLast(new H2Exchange(shared, activity));
        }
      }));
      ctx.pipeline().remove(this);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof IdleStateEvent) {
        ctx.close(); // connected, and said nothing for idle_timeout
        return;
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      quietClose(ctx, cause, shared.metrics());
    }
  }

  /** Closes a connection that stayed idle (no request in progress) for idle_timeout. */
  static final class IdleCloser extends ChannelDuplexHandler {
    private final Activity activity;

    IdleCloser(Activity activity) {
      this.activity = activity;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof IdleStateEvent) {
        if (activity.active.get() == 0) {
          ctx.close();
        }
        return;
      }
      super.userEventTriggered(ctx, evt);
    }
  }

  /**
   * HTTP/1.1: a request must arrive whole within read_timeout of its first byte (headers included, which the codec
   * only hands on once complete), so a client trickling bytes (slowloris) cannot hold a connection for ever.
   */
  static final class SlowClientGuard extends ChannelDuplexHandler {
    private static final byte[] TIMEOUT = ("HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0"
        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    private final long timeoutMillis;
    private final StepMetrics metrics;
    private final Activity activity;
    private ScheduledFuture<?> timer;
    private boolean receiving;

    SlowClientGuard(long timeoutMillis, StepMetrics metrics, Activity activity) {
      this.timeoutMillis = timeoutMillis;
      this.metrics = metrics;
      this.activity = activity;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      if (!receiving && timeoutMillis > 0) {
        receiving = true;
        activity.active.incrementAndGet();
        timer = ctx.executor().schedule(() -> {
          metrics.count("slow_clients", 1);
          LOG.debug("in.OpenTelemetry: {} did not send its request within read_timeout; closed", ctx.channel()
              .remoteAddress());
          ctx.writeAndFlush(Unpooled.wrappedBuffer(TIMEOUT)).addListener(f -> ctx.close());
        }, timeoutMillis, TimeUnit.MILLISECONDS);
      }
      super.channelRead(ctx, msg);
    }

    /** The request arrived whole (or was answered early): the clock stops until the next one begins. */
    void requestComplete() {
      if (receiving) {
        receiving = false;
        activity.active.decrementAndGet();
        timer.cancel(false);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      requestComplete();
      super.channelInactive(ctx);
    }
  }

  static void quietClose(ChannelHandlerContext ctx, Throwable cause, StepMetrics metrics) {
    String m = io.swak.support.FailureText.of(cause); // in words, never a class name
    if (cause instanceof java.io.IOException) {
      LOG.debug("in.OpenTelemetry: connection from {}: {}", ctx.channel().remoteAddress(), m);
    } else {
      metrics.count("protocol_errors", 1);
      LOG.warn("in.OpenTelemetry: connection from {} closed: {}", ctx.channel().remoteAddress(), m);
    }
    ctx.close();
  }
}
