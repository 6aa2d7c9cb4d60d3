#!/bin/sh
# in.FileTail -> out.Http (NDJSON, one POST per batch; FORMAT=json for a JSON array, GZIP=1 for gzip bodies) into
# bench/BulkSink.java, which answers every POST at once: what out.Http costs per line when the endpoint is not
# the bottleneck. LINES lines of ~110 bytes; lines/s, Swak CPU-s per million lines, peak RSS; median of RUNS.
# A run ends when the input's checkpoint reaches the end of the file (every line answered 2xx); the sink's count
# then says every line came (it counts two lines a document, as for _bulk: LINES/2 documents).
# Usage: bench/filetail-http.sh [LINES] [RUNS]   (build first: mvn -q -o -DskipTests package)
# Env: IN_FLIGHT (out.Http's in_flight, its default when unset); OUT=otlp: out.OpenTelemetry (OTLP/HTTP protobuf,
# gzip unless GZIP=0) instead, into the same sink (its answers are taken as success; no count then).
set -eu
LINES=${1:-2000000}
RUNS=${2:-3}
HERE=$(cd "$(dirname "$0")/.." && pwd)
. "$HERE/bench/lib.sh"
WORK=${BENCH_DIR:-/tmp/swak-bench-http}
rm -rf "$WORK"; mkdir -p "$WORK"
LOG=$WORK/input.log
bench_app_log "$LOG" "$LINES" # sets SIZE
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# nodelay: the JDK server writes headers and body apart; with Nagle each answer would wait for a delayed ACK
java -Xmx256m -Dsun.net.httpserver.nodelay=true "$HERE/bench/BulkSink.java" "$PORT" > "$WORK/sink.log" 2>&1 &
SINK=$!
trap 'bench_stop $SINK' EXIT
i=0
until grep -q ready "$WORK/sink.log" 2>/dev/null; do
  i=$((i + 1)); [ $i -gt 600 ] && { echo "sink did not start"; exit 1; }
  sleep 0.05
done
for run in $(seq 1 "$RUNS"); do
  POS=$WORK/pos-$run
  curl -s -X DELETE "http://127.0.0.1:$PORT/reset" > /dev/null
  cat > "$WORK/http.yml" <<YML
- task:
  - in.FileTail:
      path: $LOG
      pos_dir: $POS
      read_from_head: true
$(if [ "${OUT:-http}" = otlp ]; then
  echo "  - out.OpenTelemetry:"
  echo "      endpoint: http://127.0.0.1:$PORT"
  [ "${GZIP:-1}" = 0 ] && echo "      compression: none"
else
  echo "  - out.Http:"
  echo "      url: http://127.0.0.1:$PORT/bench/_bulk"
  echo "      format: ${FORMAT:-ndjson}"
  [ -n "${GZIP:-}" ] && echo "      compress: gzip"
  [ -n "${IN_FLIGHT:-}" ] && echo "      in_flight: $IN_FLIGHT"
fi)
YML
  START=$(bench_now)
  SWAK_DATA_DIR=$WORK/data /usr/bin/time -v -o "$WORK/time-$run.txt" "$HERE/bin/swak" run "$WORK/http.yml" 2> "$WORK/agent-$run.err" &
  TIMEPID=$!
  bench_wait_checkpoint "$POS" "$SIZE" "$TIMEPID" "$WORK/agent-$run.err"
  END=$(bench_now)
  bench_end_agent "$TIMEPID"
  GOT=$(curl -s "http://127.0.0.1:$PORT/bench/_count" | sed 's/[^0-9]//g')
  bench_record swak "$run" "$LINES" "$(bench_elapsed "$START" "$END")" "$(bench_time_cpu "$WORK/time-$run.txt")" \
    "$(bench_time_rss "$WORK/time-$run.txt")" lines "$([ "${OUT:-http}" = otlp ] || echo "sink: $((GOT * 2)) lines")"
done
bench_summary lines swak
