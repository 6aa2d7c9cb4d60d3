package io.swak.plugins.fluentd;

import io.swak.api.Batch;
import io.swak.api.Output;
import io.swak.api.Step;
import io.swak.core.config.AgentConfig;
import io.swak.core.config.ConfigLoader;
import io.swak.core.config.PluginRegistry;
import io.swak.core.testing.TestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.Map;

/** Creates in.Forward / out.Fluentd steps from YAML options, as a config file would. */
final class Steps {

  private Steps() { }

  static AgentConfig parse(String yaml) throws Exception {
    return new ConfigLoader(PluginRegistry.builtIn(), Map.of()).parse("test.yml", yaml);
  }

  /** A started server on a free port of 127.0.0.1 with the given extra options (YAML flow map body). */
  static ForwardInput server(TestContext ctx, String options) throws Exception {
    return server(ctx, 0, options);
  }

  static ForwardInput server(TestContext ctx, int port, String options) throws Exception {
    String yaml = "- task:\n  - in.Forward: {port: " + port + (options.isEmpty() ? "" : ", " + options) + "}\n"
        + "  - out.Null\n";
    ForwardInput in = (ForwardInput) parse(yaml).tasks().get(0).steps().get(0).create();
    in.start(ctx);
    return in;
  }

  static FluentdOutput client(TestContext ctx, String options) throws Exception {
    String yaml = "- task:\n  - in.Forward: {}\n  - out.Fluentd: {" + options + "}\n";
    FluentdOutput out = (FluentdOutput) parse(yaml).tasks().get(0).steps().get(1).create();
    out.start(ctx);
    return out;
  }

  /**
   * Polls {@code in} until what arrived satisfies {@code enough}, acknowledging each batch when {@code ack};
   * fails after 10 s.
   */
  static List<Batch> receiveUntil(ForwardInput in, boolean ack, Predicate<List<Batch>> enough)
      throws InterruptedException {
    List<Batch> out = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!enough.test(out)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("only " + out.stream().mapToInt(Batch::count).sum() + " events arrived");
      }
      Batch b = in.poll(Duration.ofMillis(100));
      if (b != null) {
        out.add(b);
        if (ack) {
          b.ack().done();
        }
      }
    }
    return out;
  }

  /**
   * Sends one batch with {@code out} and waits for its receipt, as the runtime does with a window of 1:
   * returns when delivered, throws with the reason when it failed or was rejected, or when {@code ctx}
   * stops meanwhile.
   */
  static void write(TestContext ctx, Output out, Batch batch) throws Exception {
    Outcome o = new Outcome();
    out.send(batch, o);
    String r = o.await(ctx);
    if (!r.equals("delivered")) {
      throw new java.io.IOException(r);
    }
  }

  /** Records how a sent batch ended: "delivered", "failed: reason" or "rejected: reason", and how often it was told. */
  static final class Outcome implements Output.Receipt {
    final java.util.concurrent.CompletableFuture<String> result = new java.util.concurrent.CompletableFuture<>();
    final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public void delivered() {
      calls.incrementAndGet();
      result.complete("delivered");
    }

    @Override
    public void failed(String reason) {
      calls.incrementAndGet();
      result.complete("failed: " + reason);
    }

    @Override
    public void rejected(String reason) {
      calls.incrementAndGet();
      result.complete("rejected: " + reason);
    }

    String get() throws Exception {
      return result.get(10, java.util.concurrent.TimeUnit.SECONDS);
    }

    String await(TestContext ctx) throws Exception {
      while (true) {
        try {
          return result.get(100, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          if (ctx.stopping()) {
            throw new java.io.IOException("stopped while waiting for the server's reply");
          }
        }
      }
    }
  }

  static void closeQuietly(Step s) {
    if (s != null) {
      try {
        s.close();
      } catch (Exception ignored) {
        // test cleanup
      }
    }
  }
}
