#!/bin/sh
# in.FileTail -> out.Elasticsearch on LINES JSON lines into one local OpenSearch 2.19 node (a process of its own,
# from the test class path of plugins/elasticsearch): documents/s, Swak CPU-s per million documents, peak RSS.
# Usage: bench/es-bulk.sh [LINES] [RUNS]  (build first: mvn -q -o -DskipTests package)
# SINK=fast: into bench/BulkSink.java instead of the node (answers every request at once with errors:false).
# PEER=fluent-bit FLUENT_BIT=/path/to/fluent-bit: Fluent Bit's tail -> es on the same file right after each Swak
# run, into an index of its own; both medians. The node is the bottleneck: figures say what each shipper costs
# while the node is busy. The end of a run is when the index counts LINES documents (polled every 0.5 s, without
# forcing a refresh: up to ~1.5 s late). Each line is sent as it is (a "message" / "log" field), no parsing.
set -eu
LINES=${1:-2000000}
RUNS=${2:-3}
HERE=$(cd "$(dirname "$0")/.." && pwd)
. "$HERE/bench/lib.sh"
WORK=${BENCH_DIR:-/tmp/swak-bench-es}
PORT=${ES_PORT:-19200}
ES=http://127.0.0.1:$PORT
rm -rf "$WORK"; mkdir -p "$WORK"
LOG=$WORK/input.log
awk -v n="$LINES" 'BEGIN { for (i = 0; i < n; i++) printf "{\"@timestamp\":\"2026-11-21T12:00:00.%03dZ\",\"level\":\"INFO\",\"logger\":\"worker-%02d\",\"request\":%d,\"path\":\"/api/v1/items\",\"status\":200,\"took\":%d}\n", i % 1000, i % 16, i, i % 997 }' > "$LOG"
SIZE=$(stat -c %s "$LOG")
echo "input: $LINES lines, $SIZE bytes ($(( SIZE / LINES )) bytes per line)"

if [ "${SINK:-node}" = fast ]; then
  # SINK=fast: bench/BulkSink.java takes every document at once (what the shippers cost, not the node)
  # nodelay: the JDK server writes headers and body apart; with Nagle each answer would wait for a delayed ACK
  java -Xmx256m -Dsun.net.httpserver.nodelay=true "$HERE/bench/BulkSink.java" "$PORT" > "$WORK/node.log" 2>&1 &
else
  CP_FILE=$WORK/cp.txt
  (cd "$HERE" && mvn -B -ntp -o -q -pl plugins/elasticsearch dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$CP_FILE" >/dev/null)
  java -Xms1g -Xmx1g -cp "$HERE/plugins/elasticsearch/target/test-classes:$(cat "$CP_FILE")" \
    io.swak.plugins.elasticsearch.BenchNode "$PORT" "$WORK/node" > "$WORK/node.log" 2>&1 &
fi
NODE=$!
trap 'kill $NODE 2>/dev/null || true' EXIT
until grep -q '^ready' "$WORK/node.log" 2>/dev/null; do
  kill -0 $NODE 2>/dev/null || { echo "the node did not start:"; tail -20 "$WORK/node.log"; exit 1; }
  sleep 0.5
done

count() {
  curl -s "$ES/$1/_count" | sed -n 's/.*"count":\([0-9]*\).*/\1/p'
}

measure() { # who run index cmd...: runs cmd under /usr/bin/time until the index has LINES documents
  WHO=$1; NAME=$1-$2; INDEX=$3; shift 3
  curl -s -XDELETE "$ES/$INDEX" >/dev/null
  curl -s -XPUT "$ES/$INDEX" -H 'Content-Type: application/json' -d '{"settings":{"number_of_shards":1}}' >/dev/null
  START=$(date +%s.%N)
  /usr/bin/time -v -o "$WORK/time-$NAME.txt" "$@" > "$WORK/$NAME.out" 2>&1 &
  TIMEPID=$!
  while [ "$(count "$INDEX")" != "$LINES" ]; do
    kill -0 $TIMEPID 2>/dev/null || { echo "$NAME ended early:"; tail -5 "$WORK/$NAME.out"; break; }
    sleep 0.5
  done
  END=$(date +%s.%N)
  PID=$(pgrep -P "$TIMEPID" || true)
  [ -n "$PID" ] && kill -TERM $PID 2>/dev/null || true
  wait "$TIMEPID" || true
  bench_record "$WHO" "${NAME##*-}" "$LINES" "$(bench_elapsed "$START" "$END")" "$(bench_time_cpu "$WORK/time-$NAME.txt")" \
    "$(bench_time_rss "$WORK/time-$NAME.txt")" documents
}

for run in $(seq 1 "$RUNS"); do
  cat > "$WORK/swak.yml" <<YML
- task:
  - in.FileTail: {path: $LOG, pos_dir: $WORK/pos-$run, read_from_head: true}
  - out.Elasticsearch: {hosts: ["$ES"], index: swak-bench}
YML
  SWAK_DATA_DIR=$WORK/data-$run measure swak "$run" swak-bench "$HERE/bin/swak" run "$WORK/swak.yml"
  if [ "${PEER:-}" = fluent-bit ]; then
    cat > "$WORK/fb.conf" <<CONF
[SERVICE]
    flush        1
    grace        30
    log_level    warn
[INPUT]
    name              tail
    path              $LOG
    read_from_head    true
    db                $WORK/fb-$run.db
    buffer_chunk_size 256k
    buffer_max_size   1m
[OUTPUT]
    name               es
    match              *
    host               127.0.0.1
    port               $PORT
    index              fb-bench
    suppress_type_name on
    buffer_size        false
    retry_limit        false
CONF
    measure fluent-bit "$run" fb-bench "${FLUENT_BIT:-/tmp/fluent-bit-build/bin/fluent-bit}" -c "$WORK/fb.conf"
  fi
done
bench_summary documents swak fluent-bit
