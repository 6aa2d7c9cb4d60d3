package io.swak.plugins.fluentd.output;

import io.swak.api.Batch;
import io.swak.api.Event;
import io.swak.core.testing.OutputContract;
import io.swak.core.testing.TestContext;
import io.swak.plugins.fluentd.testing.ForwardServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * out.Fluentd passes the output contract against a real in.Forward on 127.0.0.1, which acknowledges what it
 * received; "broken" is the server gone (its port closed), "repaired" a new server on the same port.
 */
class FluentdOutputContractTest extends OutputContract {

  @Override
  protected Destination destination(Path dir) throws Exception {
    return new ForwardDestination();
  }

  /** in.Forward plus a thread playing its task: records each event's seq, then acknowledges the batch. */
  static final class ForwardDestination implements Destination {
    private final TestContext ctx = new TestContext();
    private final int port;
    private final List<Long> seqs = new ArrayList<>();
    private ForwardServer server;
    private Thread task;
    private volatile boolean running;

    ForwardDestination() throws Exception {
      server = ForwardServer.start(ctx, "");
      port = server.port();
      startTask();
    }

    private void startTask() {
      running = true;
      ForwardServer s = server;
      task = new Thread(() -> {
        while (running) {
          try {
            Batch b = s.poll(Duration.ofMillis(20));
            if (b == null || b.isEmpty()) {
              continue;
            }
            synchronized (seqs) {
              for (Event e : b.events()) {
                seqs.add(((Number) e.record().get("seq")).longValue());
              }
            }
            b.ack().done(); // in.Forward sends the client's ack now
          } catch (InterruptedException e) {
            return;
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }
      }, "contract-forward-task");
      task.setDaemon(true);
      task.start();
    }

    private void stopServer() throws Exception {
      running = false;
      task.join(5000);
      server.close();
      server = null;
    }

    @Override
    public String step() {
      return "out.Fluentd: {host: 127.0.0.1, port: " + port + ", heartbeat_type: none}";
    }

    @Override
    public List<Long> received() {
      synchronized (seqs) {
        return new ArrayList<>(seqs);
      }
    }

    @Override
    public boolean breakDown() throws Exception {
      stopServer();
      return true;
    }

    @Override
    public void repair() throws Exception {
      server = ForwardServer.start(ctx, port, "");
      startTask();
    }

    @Override
    public void close() throws Exception {
      if (server != null) {
        stopServer();
      }
      ctx.stop();
    }
  }
}
