package io.swak.plugins.exec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.swak.api.AckWindow;
import io.swak.api.Batch;
import io.swak.api.BatchBuilder;
import io.swak.api.Durations;
import io.swak.api.Input;
import io.swak.api.Positions;
import io.swak.api.StepContext;
import io.swak.support.Pacer;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * in.Journald: runs {@code journalctl -o json --all --follow} and turns each entry into an event: its fields
 * as the journal gives them (strings; a binary value, which journalctl writes as an array of bytes, as msgpack
 * bytes; a field with several values as a list), MESSAGE under message_key, {@code __REALTIME_TIMESTAMP} as the
 * event time, {@code __CURSOR} left out of the record and kept as the position.
 *
 * <p>Positions: every batch ends at an entry whose cursor is remembered; an {@link AckWindow} over the entry
 * count says which batches were acknowledged, and the position saved is the cursor of the last entry of the
 * longest acknowledged prefix, so a crash repeats at most what was in flight and never skips. A journalctl that
 * exits (a journal that is not there yet, a rotation it did not survive) is started again with backoff after
 * the last entry read, with {@code --after-cursor}, always with {@code --lines=all} (journalctl --follow
 * otherwise shows only the last 10 entries after the cursor and would skip the rest).
 *
 * <p>At the very first start without read_from_head the cursor of the journal's current last entry is taken
 * and saved at once, so entries written while the agent is down between two starts are not skipped either.
 */
final class JournaldInput implements Input {

  private static final Logger LOG = LoggerFactory.getLogger("swak.journald");
  private static final JsonFactory JSON = new JsonFactory();
  private static final File NULL_FILE = new File("/dev/null");
  private static final String KEY = "cursor";
  /** Entries acknowledged since the last hint after which the cursor is saved within ~0.1 s, not ~1 s. */
  private static final long DUE_ENTRIES = 2000;

  private final JournaldPlugin.Options o;
  private final byte[] messageKeyBytes;
  private final AckWindow window;
  /** Entry count at a batch's end → the cursor of that entry; pruned below what is committed. */
  private final ConcurrentSkipListMap<Long, String> cursors = new ConcurrentSkipListMap<>();
  private StepContext context;
  private volatile Positions.Position position;
  private Pacer pacer;
  private ProcessLines run;
  private RestartBackoff restarts;
  /** The cursor saved by the last run (or taken at the first start); null = none. */
  private volatile String savedCursor;
  /** Written by the reader thread under the lines' lock; read when a batch is cut and at restarts. */
  private volatile String lastCursor;
  private long entries;
  /** The committed count when the store was last asked to save soon (the runtime's thread). */
  private volatile long hinted;

  JournaldInput(JournaldPlugin.Options options) {
    this.o = options;
    this.messageKeyBytes = BatchBuilder.key(options.messageKey());
    this.window = new AckWindow(0, this::advanced);
  }

  @Override
  public void start(StepContext ctx) throws IOException {
    this.context = ctx;
    Positions store = ctx.positions(o.posDir());
    savedCursor = store.saved().get(KEY);
    position = store.track(KEY, this::committedCursor);
    if (savedCursor == null && !o.readFromHead() && store.firstStart()) {
      savedCursor = lastEntryCursor();
      if (savedCursor != null) {
        position.saveNow();
      }
    }
    lastCursor = savedCursor;
    pacer = new Pacer(o.restartWait(), null, null, ctx.clock()); // the first start at once
    restarts = new RestartBackoff(o.restartWait(), o.restartMaxWait());
    LOG.info("{}, {}: following the journal{} {}", ctx.taskName(), ctx.stepName(),
        o.selection().isEmpty() ? "" : " (" + String.join(" ", o.selection()) + ")",
        savedCursor != null ? "after the saved cursor" : "from its first entry");
  }

  /** Acknowledgements moved the window: a crash now would repeat what came since the last save. */
  private void advanced() {
    Positions.Position p = position;
    if (p == null) {
      return;
    }
    long c = window.committed();
    if (c - hinted >= DUE_ENTRIES) {
      hinted = c;
      p.saveSoon();
    } else {
      p.changed();
    }
  }

  /** The cursor of the last entry of the longest acknowledged prefix (the runtime's thread). */
  private String committedCursor() {
    long committed = window.committed();
    Map.Entry<Long, String> e = cursors.floorEntry(committed);
    if (e == null) {
      return savedCursor;
    }
    cursors.headMap(e.getKey(), false).clear();
    return e.getValue();
  }

  @Override
  public Batch poll(Duration maxWait) throws Exception {
    if (run == null) {
      if (!pacer.await(context, maxWait) || context.stopping()) {
        return null;
      }
      startJournalctl();
      if (run == null) {
        return null;
      }
    }
    Batch b = run.take(maxWait, o.tag(), () -> {
      String c = lastCursor;
      if (c != null) {
        cursors.put(entries, c);
      }
      return window.add(entries);
    });
    if (b != null) {
      return b;
    }
    if (run.finished()) {
      ended();
    }
    return null;
  }

  private List<String> command() {
    List<String> c = new ArrayList<>(List.of(o.journalctl(), "--output=json", "--all", "--follow", "--no-pager",
        "--lines=all"));
    c.addAll(o.selection());
    String after = lastCursor;
    if (after != null) {
      c.add(1, "--after-cursor=" + after);
    }
    return c;
  }

  private void startJournalctl() {
    restarts.started();
    List<String> command = command();
    try {
      Process p = Processes.start(new ProcessBuilder().redirectInput(ProcessBuilder.Redirect.from(NULL_FILE)),
          command);
      run = new ProcessLines(context.taskName() + " " + context.stepName(), p, this::decode,
          (int) o.maxEntrySize().bytes(), o.maxPendingSize().bytes(), Processes.TAIL_BYTES, context.metrics());
    } catch (IOException e) {
      context.metrics().errors(1);
      Duration wait = restarts.next();
      pacer.after(wait);
      LOG.warn("{}, {}: {}; trying again in {}", context.taskName(), context.stepName(), e.getMessage(),
          Durations.format(wait));
    }
  }

  private void ended() {
    ProcessLines.Exit exit = run.exit();
    run = null;
    context.metrics().count("restarts", 1);
    Duration wait = restarts.next();
    pacer.after(wait);
    String stderr = exit.stderr().isEmpty() ? "" : ": " + Processes.oneLine(exit.stderr().getBytes(
        StandardCharsets.UTF_8), 0, exit.stderr().getBytes(StandardCharsets.UTF_8).length);
    String after = lastCursor;
    if (after != null && exit.lines() == 0 && exit.stderr().contains("seek to cursor")) {
      // a cursor journalctl cannot parse (a damaged store, another journal's) would fail every start the same
      // way: read the journal from its start instead — entries may repeat, none is skipped
      context.metrics().count("cursor_rejected", 1);
      context.metrics().errors(1);
      lastCursor = null;
      LOG.error("{}, {}: journalctl rejects the cursor {}{}; reading the journal from its first entry (entries "
          + "may be delivered again)", context.taskName(), context.stepName(), after, stderr);
      return;
    }
    LOG.warn("{}, {}: journalctl exited with status {}{}; starting it again in {} after the last entry read",
        context.taskName(), context.stepName(), exit.exitCode(), stderr, Durations.format(wait));
  }

  /** The cursor of the journal's last entry now, or null when it is empty or cannot be read (then: from head). */
  private String lastEntryCursor() {
    List<String> c = new ArrayList<>(List.of(o.journalctl(), "--output=json", "--no-pager", "--lines=1"));
    c.addAll(o.selection());
    try {
      Process p = Processes.start(new ProcessBuilder().redirectInput(ProcessBuilder.Redirect.from(NULL_FILE))
          .redirectError(ProcessBuilder.Redirect.DISCARD), c);
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        Processes.kill(p, Duration.ZERO);
        return null;
      }
      String text = new String(out, StandardCharsets.UTF_8).strip();
      if (text.isEmpty()) {
        return null;
      }
      try (JsonParser jp = JSON.createParser(text)) {
        if (jp.nextToken() != JsonToken.START_OBJECT) {
          return null;
        }
        while (jp.nextToken() == JsonToken.FIELD_NAME) {
          String name = jp.currentName();
          jp.nextToken();
          if (name.equals("__CURSOR")) {
            return jp.getText();
          }
          jp.skipChildren();
        }
      }
    } catch (IOException e) {
      LOG.warn("{}, {}: cannot find the journal's last entry ({}); reading it from its first entry",
          context.taskName(), context.stepName(), e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return null;
  }

  /** One journalctl JSON line into the pending batch (reader thread, under the lines' lock). */
  private void decode(byte[] b, int off, int len, BatchBuilder into) {
    Map<String, Object> record = new LinkedHashMap<>();
    long time = 0;
    String cursor = null;
    try (JsonParser p = JSON.createParser(b, off, len)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("not a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        Object value = value(p, t);
        switch (name) {
          case "__CURSOR" -> cursor = String.valueOf(value);
          case "__REALTIME_TIMESTAMP" -> time = micros(value);
          case "MESSAGE" -> record.put(o.messageKey(), value);
          default -> record.put(name, value);
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
        throw new IOException("not one JSON object");
      }
    } catch (IOException | RuntimeException e) {
      // journalctl writes one JSON object per line; anything else is kept whole, not dropped
      context.metrics().count("invalid_lines", 1);
      context.metrics().errors(1);
      into.addMessage(context.nowNanos(), messageKeyBytes, b, off, len);
      entries++;
      return;
    }
    into.add(time > 0 ? time : context.nowNanos(), record);
    entries++;
    if (cursor != null) {
      lastCursor = cursor;
    }
  }

  /** A field's value: a string, bytes (an array of numbers), a list of those (several values), or null. */
  private static Object value(JsonParser p, JsonToken t) throws IOException {
    if (t == JsonToken.START_ARRAY) {
      ByteArrayOutputStream bytes = null;
      List<Object> values = null;
      for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
        if (e == JsonToken.VALUE_NUMBER_INT && values == null) {
          bytes = bytes == null ? new ByteArrayOutputStream() : bytes;
          bytes.write(p.getIntValue());
        } else if (bytes == null) {
          values = values == null ? new ArrayList<>() : values;
          values.add(value(p, e));
        } else {
          throw new IOException("an array mixing bytes and values");
        }
      }
      return bytes != null ? bytes.toByteArray() : values != null ? values : List.of();
    }
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    if (t == JsonToken.START_OBJECT) {
      throw new IOException("a field whose value is an object");
    }
    return p.getText();
  }

  private static long micros(Object value) {
    try {
      return Math.multiplyExact(Long.parseLong(String.valueOf(value)), 1000L);
    } catch (NumberFormatException | ArithmeticException e) {
      return 0;
    }
  }

  @Override
  public void close() {
    if (run != null) {
      run.close();
      run = null;
    }
  }
}
