#!/usr/bin/env bash
# Swak benchmarks. Build once:  mvn -q -Pbench -DskipTests package
# Then:  bench/run.sh SCENARIO [args]     (bin/swak runs from swak-dist/target/lib, as users run it)
#   jmh [REGEX]                   JMH micro-benchmarks of the hot paths (ns per line): LineScanBench (newline
#                                 scan, packing), EntryPackingBench (packing, decoding, JSON, raw lines),
#                                 ForwardDecodeBench (in.Forward's PackedForward validation), PositionBench
#                                 (the runtime's position store: per-batch ack, one save round; us)
#                                 MetricsReadBench (one reading of each in.HostMetrics collector; us)
#                                 OtlpDecodeBench (in.OpenTelemetry's parse and msgpack of a 1,000-record request; us)
#   fakedata-null [N]             in.FakeData -> out.Null inside one JVM: events/s, CPU-s per million
#   route-null [N] [RUNS]         in.FakeData (json) -> route with 3 branches (when: on a nested field, match:, else)
#                                 -> out.Null each, side by side with the same events -> out.Null, RUNS each (3);
#                                 inside one JVM (no process, no input): it has no Fluent Bit peer
#   file-null [LINES] [RUNS]      in.FileTail -> out.Null: lines/s, CPU-s per million, peak RSS (median)
#   file-file [LINES] [RUNS]      in.FileTail -> out.File (JSON lines), measured the same way
#   file-forward [LINES] [ack]    in.FileTail -> out.Fluentd -> bench/FastReceiver, from agent start
#   file-buffer-forward [LINES] [ack]  the same with a file buffer (fsync interval) in between
#   forward-forward [EVENTS]      bench/ForwardSender -> in.Forward -> out.Fluentd -> FastReceiver (relay)
#                                 (for these three: RUNS=N runs, median printed; ACK_DELAY_MS=N: the
#                                 receiver acks N ms after each message)
#   forward-null [EVENTS] [ack]   ForwardSender -> in.Forward -> out.Null
#   idle [FILES] [SECONDS]        CPU of in.FileTail watching FILES idle files
#   many-files [FILES] [RATE] [SECONDS]  FILES files growing by RATE lines/s in all, a write per line: CPU,
#                                 RSS, latency p50/p99 (PEER=fluent-bit FLUENT_BIT=… runs Fluent Bit after)
#   file-kafka [LINES] [RUNS]     in.FileTail -> out.Kafka (acks=all) into one local broker (bench/filetail-kafka.sh;
#                                 its peer needs a Fluent Bit built with -DFLB_KAFKA=On: FLUENT_BIT_KAFKA=/path)
#   otlp-null [RECORDS] [RUNS]    bench/OtlpSender -> in.OpenTelemetry (OTLP/HTTP protobuf) -> out.Null (bench/otlp-null.sh)
#   http-null [EVENTS] [RUNS]     bench/HttpSender (NDJSON, 1000 a body, 2 connections) -> in.Http -> out.Null
#   tcp-relay [LINES]             in.FileTail -> out.Tcp (gzip; COMPRESS=, LEVEL=) -> in.Tcp -> out.Null, two agents
#   parse-forward [EVENTS]        in.FileTail -> parse nginx (FORMAT=regex: Fluent Bit's regex) -> out.Fluentd
#   http-ndjson [EVENTS] [BATCH] [CONNS] [ROUNDS]  bench/HttpSender -> in.Http (NDJSON) -> out.Null
#   tcp [LINES] [CONNS]           bench/TcpSender -> in.Tcp (json_lines) -> out.Null
#   es-bulk [LINES] [RUNS]        in.FileTail -> out.Elasticsearch (SINK=fast: bench/BulkSink instead of a node)
#   file-http [LINES] [RUNS]      in.FileTail -> out.Http (NDJSON) into bench/BulkSink (bench/filetail-http.sh)
#   syslog-tcp [MESSAGES] [ROUNDS] [CONNS]  in.Syslog TCP -> out.Null next to rsyslogd (imtcp -> omfile)
#   journald-null [ENTRIES] [RUNS]  in.Journald -> out.Null on a journal written by systemd-journal-remote,
#                                 next to journalctl alone (the floor): entries/s, CPU-s per million, RSS
# PEER=fluent-bit FLUENT_BIT=/path/to/fluent-bit (a binary you built): every scenario above but jmh, fakedata-null,
# route-null (inside one JVM) and journald-null (next to journalctl) runs Fluent Bit on the same
# input and receiver right after each Swak run, alternating, and prints both, the medians and the ratios Swak /
# Fluent Bit of lines/s, CPU-s per million and peak RSS (bench/lib.sh; idle: of idle CPU and RSS). The peers: tail
# (file-*, many-files, idle, parse-forward with its parser filter, es-bulk with es, file-kafka with kafka),
# forward (forward-*, the relay's collector in tcp-relay, fed by its forward output with compress gzip), http
# (http-null, http-ndjson), opentelemetry (otlp-null), tcp (tcp), syslog (syslog-tcp, a second peer after rsyslogd)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
cp_file=$here/jmh/target/classpath.txt
need_build() {
  if [ ! -f "$cp_file" ]; then
    echo "build first: (cd $root && mvn -q -Pbench -DskipTests package)" >&2
    exit 1
  fi
}
classpath() { echo "$here/jmh/target/classes:$(cat "$cp_file")"; }

scenario=${1:-help}
shift || true
if [ "${PEER:-}" = fluent-bit ] && [ ! -x "${FLUENT_BIT:-}" ]; then
  echo "PEER=fluent-bit needs FLUENT_BIT=/path/to/fluent-bit (an executable); got '${FLUENT_BIT:-}'" >&2
  exit 2
fi
case $scenario in
  jmh)
    need_build
    exec java -cp "$(classpath)" org.openjdk.jmh.Main "${1:-.*}" -rf text -rff "$here/jmh/target/jmh-result.txt"
    ;;
  fakedata-null)
    need_build
    exec java -Xmx256m -XX:+UseSerialGC -cp "$(classpath)" io.swak.bench.InProcess fakedata-null "${1:-2000000}"
    ;;
  route-null)
    need_build
    for run in $(seq 1 "${2:-3}"); do
      for sc in json-null route-null; do
        java -Xmx256m -XX:+UseSerialGC -cp "$(classpath)" io.swak.bench.InProcess "$sc" "${1:-2000000}"
      done
    done
    echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
    ;;
  file-null) exec "$here/filetail-null.sh" "${1:-2000000}" "${2:-3}" ;;
  file-file) OUTPUT=file exec "$here/filetail-null.sh" "${1:-2000000}" "${2:-3}" ;;
  file-forward) ACK=$([ "${2:-}" = ack ] && echo 1 || true) INPUT=filetail exec "$here/fluentd-out.sh" "${1:-2000000}" ;;
  file-buffer-forward) ACK=$([ "${2:-}" = ack ] && echo 1 || true) INPUT=filetail BUFFER=file \
    exec "$here/fluentd-out.sh" "${1:-2000000}" ;;
  forward-forward) INPUT=forward exec "$here/fluentd-out.sh" "${1:-2000000}" ;;
  forward-null) exec "$here/forward-null.sh" "${1:-2000000}" 1000 "${2:-}" ;;
  idle) exec "$here/filetail-idle.sh" "${1:-10000}" "${2:-60}" ;;
  many-files) exec "$here/many-files.sh" "$@" ;;
  file-kafka) exec "$here/filetail-kafka.sh" "${1:-2000000}" "${2:-${RUNS:-3}}" ;;
  otlp-null) exec "$here/otlp-null.sh" "${1:-2000000}" 1000 4 "${2:-${RUNS:-3}}" ;;
  http-null) exec "$here/http-ndjson.sh" "${1:-4000000}" 1000 2 "${2:-${RUNS:-3}}" ;;
  tcp-relay) exec "$here/tcp-relay.sh" "${1:-4000000}" ;;
  parse-forward) exec "$here/parse-forward.sh" "$@" ;;
  http-ndjson) exec "$here/http-ndjson.sh" "$@" ;;
  tcp) exec "$here/tcp-null.sh" "$@" ;;
  es-bulk) exec "$here/es-bulk.sh" "$@" ;;
  file-http) exec "$here/filetail-http.sh" "${1:-2000000}" "${2:-${RUNS:-3}}" ;;
  syslog-tcp) exec "$here/syslog-tcp.sh" "$@" ;;
  journald-null) exec "$here/journald-null.sh" "${1:-200000}" "${2:-3}" ;;
  *)
    sed -n '2,/^set -euo/p' "$0" | sed '$d'
    exit 2
    ;;
esac
