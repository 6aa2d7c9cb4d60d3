package io.swak.plugins.fluentd.protocol;

import io.swak.api.Ack;
import io.swak.api.Batch;
import java.io.ByteArrayOutputStream;
import java.util.Map;

/**
 * One event message received from a Forward client, whatever its mode: the tag, the options, and the entries,
 * validated, in the {@link Batch} form ({@code [EventTime, record]} concatenated), handed out in parts of about
 * 1 MiB (a small message is one part) so that a large one is passed on in bounded steps. Until the last part is
 * taken (or {@link #close}) the frame it was decoded from must stay as it is.
 */
public final class ForwardRequest implements AutoCloseable {

  /** Some of a message's entries, whole ones, in the batch form. */
  public record Part(byte[] data, int count) {

    /** The entries as a batch of {@code tag}. */
    public Batch toBatch(String tag, Ack ack) {
      return new Batch(tag, data, data.length, count, ack);
    }
  }

  private final String mode;
  private final String tag;
  private final byte[] chunk;
  private final Map<String, Object> options;
  private final Entries entries;

  ForwardRequest(String mode, String tag, Entries entries, byte[] chunk, Map<String, Object> options) {
    this.mode = mode;
    this.tag = tag;
    this.entries = entries;
    this.chunk = chunk;
    this.options = options;
  }

  /** Message, Forward, PackedForward or CompressedPackedForward. */
  public String mode() {
    return mode;
  }

  public String tag() {
    return tag;
  }

  /** Entries in the whole message. */
  public int count() {
    return entries.count();
  }

  /**
   * The msgpack encoding of the {@code chunk} option as received (echoed byte for byte in the ack), or null when
   * the client wants no ack.
   */
  public byte[] chunk() {
    return chunk;
  }

  /** The options map decoded, for logs and tests; empty when there were none. */
  public Map<String, Object> options() {
    return options;
  }

  /** The next part of the entries; null once every entry was handed out. */
  public Part nextPart() {
    return entries.next();
  }

  /** The entries left, all in one array: for tests and small messages. */
  public byte[] remainingEntries() {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    Part p;
    while ((p = nextPart()) != null) {
      all.write(p.data(), 0, p.data().length);
    }
    return all.toByteArray();
  }

  /** Gives back what the parts not taken hold. */
  @Override
  public void close() {
    entries.close();
  }

  /** The reply {@code {"ack": chunk}}: a fixmap of one, key "ack", the chunk value as it came. */
  public static byte[] ackReply(byte[] chunk) {
    byte[] out = new byte[5 + chunk.length];
    out[0] = (byte) 0x81;
    out[1] = (byte) 0xa3;
    out[2] = 'a';
    out[3] = 'c';
    out[4] = 'k';
    System.arraycopy(chunk, 0, out, 5, chunk.length);
    return out;
  }
}
