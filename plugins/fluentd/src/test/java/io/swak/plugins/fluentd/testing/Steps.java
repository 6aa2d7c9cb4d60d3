package io.swak.plugins.fluentd.testing;

import io.swak.api.Batch;
import io.swak.api.Input;
import io.swak.api.Output;
import io.swak.api.Step;
import io.swak.core.config.AgentConfig;
import io.swak.core.config.ConfigLoader;
import io.swak.core.config.PluginRegistry;
import io.swak.core.testing.TestContext;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/** Creates in.Forward / out.Fluentd steps from YAML options, as a config file would, and drives them as the runtime does. */
public final class Steps {

  private Steps() { }

  public static AgentConfig parse(String yaml) throws Exception {
    return new ConfigLoader(PluginRegistry.builtIn(), Map.of()).parse("test.yml", yaml);
  }

  /** The in.Forward step with {@code options} (a YAML flow map's body), created but not started. */
  public static Step input(int port, String options) throws Exception {
    String yaml = "- task:\n  - in.Forward: {port: " + port + (options.isEmpty() ? "" : ", " + options) + "}\n"
        + "  - out.Null\n";
    return parse(yaml).tasks().get(0).steps().get(0).create();
  }

  /** The out.Fluentd step with {@code options}, created but not started. */
  public static Step output(String options) throws Exception {
    String yaml = "- task:\n  - in.Forward: {}\n  - out.Fluentd: {" + options + "}\n";
    return parse(yaml).tasks().get(0).steps().get(1).create();
  }

  /**
   * Polls {@code in} until what arrived satisfies {@code enough}, acknowledging each batch when {@code ack};
   * fails after 10 s.
   */
  public static List<Batch> receiveUntil(Input in, boolean ack, Predicate<List<Batch>> enough)
      throws Exception {
    List<Batch> out = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!enough.test(out)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("only " + out.stream().mapToInt(Batch::count).sum() + " events arrived");
      }
      Batch b = in.poll(Duration.ofMillis(100));
      if (b != null && !b.isEmpty()) {
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
  public static void write(TestContext ctx, Output out, Batch batch) throws Exception {
    Outcome o = new Outcome();
    out.send(batch, o);
    String r = o.await(ctx);
    if (!r.equals("delivered")) {
      throw new IOException(r);
    }
  }

  /** Records how a sent batch ended: "delivered", "failed: reason" or "rejected: reason", and how often it was told. */
  public static final class Outcome implements Output.Receipt {
    public final CompletableFuture<String> result = new CompletableFuture<>();
    public final AtomicInteger calls = new AtomicInteger();

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

    public String get() throws Exception {
      return result.get(10, TimeUnit.SECONDS);
    }

    String await(TestContext ctx) throws Exception {
      while (true) {
        try {
          return result.get(100, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          if (ctx.stopping()) {
            throw new IOException("stopped while waiting for the server's reply");
          }
        }
      }
    }
  }

  public static void closeQuietly(Step s) {
    if (s != null) {
      try {
        s.close();
      } catch (Exception ignored) {
        // test cleanup
      }
    }
  }
}
