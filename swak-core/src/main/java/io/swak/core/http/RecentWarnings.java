package io.swak.core.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The last warnings and errors of the agent's log, for the dashboard ({@code /api/log}): a bounded ring, so a
 * flood of warnings costs a fixed amount of memory. Filled by the log set-up, read by the HTTP thread.
 */
public final class RecentWarnings {

  /** The agent's. */
  public static final RecentWarnings AGENT = new RecentWarnings(100);

  /** One log line. */
  public record Entry(long seq, Instant time, String level, String logger, String message) { }

  private final int capacity;
  private final ArrayDeque<Entry> entries = new ArrayDeque<>();
  private long seq;

  public RecentWarnings(int capacity) {
    this.capacity = capacity;
  }

  public synchronized void add(Instant time, String level, String logger, String message) {
    if (entries.size() == capacity) {
      entries.removeFirst();
    }
    entries.addLast(new Entry(++seq, time, level, logger, message));
  }

  /** Oldest first. */
  public synchronized List<Entry> entries() {
    return new ArrayList<>(entries);
  }

  /** {@code {"total": N, "entries": [{seq, time, level, logger, message}…]}}, the newest last. */
  public byte[] json() {
    List<Entry> es;
    long total;
    synchronized (this) {
      es = new ArrayList<>(entries);
      total = seq;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(256 + es.size() * 160);
    try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeNumberField("total", total);
      g.writeArrayFieldStart("entries");
      for (Entry e : es) {
        g.writeStartObject();
        g.writeNumberField("seq", e.seq());
        g.writeStringField("time", e.time().toString());
        g.writeStringField("level", e.level());
        g.writeStringField("logger", e.logger());
        g.writeStringField("message", e.message());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
