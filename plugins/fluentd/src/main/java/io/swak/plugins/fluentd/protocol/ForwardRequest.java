package io.swak.plugins.fluentd.protocol;

import io.swak.api.Ack;
import io.swak.api.Batch;
import java.util.Map;

/**
 * One event message received from a Forward client, whatever its mode: the tag, the entries in the
 * {@link Batch} form ({@code [EventTime, record]} concatenated), and the options.
 *
 * @param mode Message, Forward, PackedForward or CompressedPackedForward
 * @param entries the encoded entries, the whole array (each decode makes one of exactly their size)
 * @param chunk the msgpack encoding of the {@code chunk} option as received (echoed byte for byte in
 *     the ack), or null when the client wants no ack
 * @param options the options map decoded, for logs and tests; empty when there were none
 */
public record ForwardRequest(String mode, String tag, byte[] entries, int count, byte[] chunk,
    Map<String, Object> options) {

  /** The entries as a batch of {@code batchTag} (the tag, or the tag with in.Forward's prefix). */
  public Batch toBatch(String batchTag, Ack ack) {
    return new Batch(batchTag, entries, entries.length, count, ack);
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
