package io.swak.plugins.otlp;

/**
 * The keys of a Swak record that stands for an OTLP LogRecord (docs/otlp.md has the table). in.OpenTelemetry writes
 * them, out.OpenTelemetry reads them back; any other key of a record becomes a log attribute on the way out.
 */
final class LogLayout {

  private LogLayout() { }

  static final String ATTRIBUTES = "attributes";
  static final String RESOURCE = "resource";
  static final String SCOPE = "scope";
  static final String SEVERITY_TEXT = "severity_text";
  static final String SEVERITY_NUMBER = "severity_number";
  static final String TRACE_ID = "trace_id";
  static final String SPAN_ID = "span_id";
  static final String FLAGS = "flags";
  static final String EVENT_NAME = "event_name";
  static final String OBSERVED_TIME = "observed_time_unix_nano";
  /** Only present when the LogRecord's time was 0 (unknown): the event then carries the observed time. */
  static final String TIME = "time_unix_nano";
  static final String DROPPED = "dropped_attributes_count";

  // inside resource and scope
  static final String SCHEMA_URL = "schema_url";
  static final String ENTITY_REFS = "entity_refs";
  static final String NAME = "name";
  static final String VERSION = "version";

  // inside an entity reference
  static final String TYPE = "type";
  static final String ID_KEYS = "id_keys";
  static final String DESCRIPTION_KEYS = "description_keys";
}
