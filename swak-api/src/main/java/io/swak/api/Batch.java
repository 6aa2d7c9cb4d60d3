package io.swak.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Events travel in batches, never one by one. A batch is one tag plus the concatenation of msgpack
 * {@code [time, record]} entries (time as EventTime, msgpack ext type 0): the body of a Fluentd
 * Forward-protocol PackedForward message, so it can be written to a disk buffer or a Fluentd server
 * without re-encoding. Batches are immutable once built; the byte array is never modified.
 */
public final class Batch {

  private final String tag;
  private final byte[] data;
  private final int length;
  private final int count;
  private final Ack ack;

  /** Wraps {@code length} bytes of {@code data} holding {@code count} entries. The array is not copied. */
  public Batch(String tag, byte[] data, int length, int count, Ack ack) {
    this.tag = Objects.requireNonNull(tag, "tag");
    this.data = Objects.requireNonNull(data, "data");
    if (length < 0 || length > data.length) {
      throw new IllegalArgumentException("length " + length + " outside 0.." + data.length);
    }
    this.length = length;
    this.count = count;
    this.ack = Objects.requireNonNull(ack, "ack");
  }

  /** A batch with no events: what a periodic input returns when it found nothing new. */
  public static Batch empty(String tag, Ack ack) {
    return new Batch(tag, new byte[0], 0, 0, ack);
  }

  public String tag() {
    return tag;
  }

  /** The encoded entries, valid from 0 to {@link #length()}. Do not modify. */
  public byte[] data() {
    return data;
  }

  /** Encoded size in bytes; what buffers and queues count against their limits. */
  public int length() {
    return length;
  }

  /** Number of events. */
  public int count() {
    return count;
  }

  public boolean isEmpty() {
    return count == 0;
  }

  public Ack ack() {
    return ack;
  }

  /** The same events and tag with another acknowledgement. */
  public Batch withAck(Ack other) {
    return new Batch(tag, data, length, count, other);
  }

  /** The same events under another tag. */
  public Batch withTag(String otherTag) {
    return new Batch(otherTag, data, length, count, ack);
  }

  /** Decodes every event. For steps that need fields; pass-through steps should use {@link #data()}. */
  public List<Event> events() {
    List<Event> out = new ArrayList<>(count);
    try (EntryReader reader = new EntryReader(data, 0, length)) {
      while (reader.hasNext()) {
        reader.next();
        out.add(new Event(tag, reader.timeNanos(), reader.record()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("corrupt batch of tag " + tag, e);
    } catch (MsgpackException e) {
      throw new UncheckedIOException("corrupt batch of tag " + tag + ": " + e.getMessage(), new IOException(e));
    }
    return out;
  }

  @Override
  public String toString() {
    return "Batch[" + tag + ", " + count + " events, " + length + " bytes]";
  }
}
