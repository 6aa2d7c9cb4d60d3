package io.swak.core.testing;

import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.BatchBuilder;
import io.swak.api.Input;
import io.swak.api.Option;
import io.swak.api.Plugin;
import io.swak.api.StepContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An input with the bug the input contract exists to catch — its position moves when it reads a line, not
 * when the line is acknowledged — and the suite run against it ({@code InputContractCanFailTest} expects it to
 * fail).
 */
public final class BrokenInputs {

  private BrokenInputs() { }

  /** Position of each file, as a checkpoint would keep it across restarts of the step. */
  static final Map<Path, Long> POSITIONS = new ConcurrentHashMap<>();

  /** Options of in.BrokenSource. */
  public record Options(@Option(value = "File of lines to read.", required = true) Path file) { }

  /** {@code in.BrokenSource}. */
  public static final class P extends Plugin<Options> {
    public P() {
      super("in.BrokenSource", "test input that commits on read", Options.class, o -> new CommitsOnRead(o.file()));
    }
  }

  static final class CommitsOnRead implements Input {
    private static final byte[] MESSAGE = BatchBuilder.key("message");
    private final Path file;
    private final BatchBuilder builder = new BatchBuilder();
    private StepContext context;

    CommitsOnRead(Path file) {
      this.file = file;
    }

    @Override
    public void start(StepContext ctx) {
      this.context = ctx;
    }

    @Override
    public Batch poll(Duration maxWait) throws IOException {
      long at = POSITIONS.getOrDefault(file, 0L);
      byte[] all = Files.exists(file) ? Files.readAllBytes(file) : new byte[0];
      int start = (int) at;
      int end = start;
      for (int i = start; i < all.length && builder.count() < 50; i++) {
        if (all[i] == '\n') {
          builder.addMessage(context.nowNanos(), MESSAGE, all, end, i - end);
          end = i + 1;
        }
      }
      if (builder.count() == 0) {
        context.sleep(Duration.ofMillis(20));
        return null;
      }
      POSITIONS.put(file, (long) end); // the bug: read is not acknowledged
      return builder.build("broken", Ack.NONE);
    }
  }

  /** The input contract against in.BrokenSource; not run by the build (no Test in its name). */
  public static final class Contract extends InputContract {
    @Override
    protected java.time.Duration patience() {
      return java.time.Duration.ofSeconds(4);
    }

    @Override
    protected Source source(Path dir) {
      Path file = dir.resolve("lines.log");
      return new Source() {
        @Override
        public String step() {
          return "in.BrokenSource: {file: \"" + file + "\"}";
        }

        @Override
        public void produce(long from, int n) throws IOException {
          StringBuilder b = new StringBuilder();
          for (long i = from; i < from + n; i++) {
            b.append("event ").append(i).append('\n');
          }
          Files.writeString(file, b, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }

        @Override
        public boolean keepsPositions() {
          return true;
        }
      };
    }
  }
}
