package io.swak.plugins.otlp;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.swak.api.BatchBuilder;
import java.io.IOException;

/**
 * OTLP protobuf one message at a time, for transports that carry export requests as opaque messages — Kafka with
 * the OpenTelemetry Collector's {@code otlp_proto} encoding (out.Kafka and in.Kafka {@code format: otlp}). The
 * mapping between events and LogRecords is in.OpenTelemetry's and out.OpenTelemetry's (docs/otlp.md), so an event
 * looks the same whichever way it came. Not thread-safe: one per step.
 */
public final class OtlpMessages {

  private final EventsToLogs encoder;
  private final LogsToEvents decoder;

  /** @param messageKey the record key of the log body */
  public OtlpMessages(String messageKey) {
    this.encoder = new EventsToLogs(messageKey, null, null);
    this.decoder = new LogsToEvents("", messageKey, null);
  }

  /**
   * The protobuf of one event, whose record starts at {@code recordStart} of {@code data} (the batch's bytes, up to
   * {@code end}): an ExportLogsServiceRequest holding its one LogRecord, or — for an event of metrics or traces
   * relayed by in.OpenTelemetry — the ExportMetricsServiceRequest or ExportTraceServiceRequest it holds, as it came.
   *
   * @throws IOException the record cannot be read (damaged msgpack, nesting deeper than OTLP receivers accept)
   */
  public byte[] encode(byte[] data, int recordStart, int end, long timeNanos) throws IOException {
    try {
      return encoder.encodeOne(data, recordStart, end, timeNanos, "").body();
    } catch (EventsToLogs.Unencodable e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /** Trace or span ids that were not hex and were kept as attributes instead, since this object was made. */
  public long invalidIds() {
    return encoder.invalidIds;
  }

  /**
   * Adds the LogRecords of one ExportLogsServiceRequest to {@code batch}, one event each; {@code nowNanos} is the time
   * of records that carry none. Returns how many were added (0 for a request without records).
   *
   * @throws IOException the bytes are not an ExportLogsServiceRequest; nothing was added
   */
  public int decode(byte[] value, long nowNanos, BatchBuilder batch) throws IOException {
    ExportLogsServiceRequest req;
    try {
      req = ExportLogsServiceRequest.parseFrom(value);
    } catch (InvalidProtocolBufferException e) {
      throw new IOException("not an OTLP ExportLogsServiceRequest: " + e.getMessage(), e);
    }
    Decoded d = decoder.decode(req, value.length, nowNanos);
    for (Decoded.Part p : d.parts) {
      batch.addEntries(p.data(), 0, p.length(), p.count());
    }
    return d.records;
  }
}
