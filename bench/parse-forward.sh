#!/bin/sh
# End to end: a file of EVENTS nginx combined-format lines -> parse nginx -> out.Fluentd into
# bench/FastReceiver.java (counts entries, PackedForward and Forward mode). Swak: in.FileTail +
# `parse: {format: nginx}` (the built-in scanner; FORMAT=regex uses Fluent Bit's nginx regex with
# types code/size int). With PEER=fluent-bit FLUENT_BIT=/path/to/fluent-bit, each Swak run is followed
# by Fluent Bit on the same file and receiver: tail from the head -> parser filter with its nginx parser
# (the same regex, Time_Key time) -> forward. Both read from their head; wall time runs from the
# agent's start (JVM start-up included) to the last event at the receiver. Prints lines/s, CPU-s
# per million lines and peak RSS of each run, the medians and Swak / Fluent Bit.
# PLACES="step input" runs Swak both ways, alternating: the parse step after in.FileTail (step) and
# in.FileTail's own `format:` (input: the line parsed once where it is read, no parse step).
# Usage: [RUNS=5] [FORMAT=nginx|regex] [PLACES="step input"] [PEER=fluent-bit] [FLUENT_BIT=…]
#        bench/parse-forward.sh [EVENTS]
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
EVENTS=${1:-2000000}
RUNS=${RUNS:-5}
OUT_PORT=${OUT_PORT:-24395}
FORMAT=${FORMAT:-nginx}
PLACES=${PLACES:-step}
LIB=swak-dist/target/lib
WORK=${BENCH_DIR:-/tmp/swak-bench-parse}
rm -rf "$WORK"; mkdir -p "$WORK"
CLASSES=bench/target/classes
if [ ! -f "$CLASSES/FastReceiver.class" ] || [ bench/FastReceiver.java -nt "$CLASSES/FastReceiver.class" ]; then
  mkdir -p "$CLASSES"
  javac -d "$CLASSES" -cp "$LIB/*" bench/FastReceiver.java
fi
JCP="$CLASSES:$LIB/*"
RECEIVER_OPTS=${RECEIVER_OPTS:--XX:TieredStopAtLevel=1}
LOG=$WORK/access.log
awk -v n="$EVENTS" 'BEGIN { srand(7); split("GET POST PUT DELETE", m, " "); for (i = 0; i < n; i++)
  printf "10.%d.%d.%d - user%d [21/Nov/2026:10:%02d:%02d +0900] \"%s /api/v1/items/%d?page=%d HTTP/1.1\" %d %d \"https://example.com/p/%d\" \"Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0\"\n",
  i % 256, (i / 256) % 256, i % 7, i % 100, (i / 60) % 60, i % 60, m[i % 4 + 1], i, i % 10, (i % 13 == 0) ? 503 : 200, 1000 + i % 5000, i % 97 }' > "$LOG"
echo "input: $EVENTS lines, $(stat -c %s "$LOG") bytes ($(( $(stat -c %s "$LOG") / EVENTS )) bytes a line)"
NGINX_REGEX='^(?<remote>[^ ]*) (?<host>[^ ]*) (?<user>[^ ]*) \[(?<time>[^\]]*)\] "(?<method>\S+)(?: +(?<path>[^\"]*?)(?: +\S*)?)?" (?<code>[^ ]*) (?<size>[^ ]*)(?: "(?<referer>[^\"]*)" "(?<agent>[^\"]*)")'
cat > "$WORK/parsers.conf" <<CONF
[PARSER]
    Name   nginx
    Format regex
    Regex $NGINX_REGEX
    Time_Key time
    Time_Format %d/%b/%Y:%H:%M:%S %z
    Types code:integer size:integer
CONF
if [ "$FORMAT" = regex ]; then
  OPTS="format: regex, regex: '$NGINX_REGEX', types: {code: int, size: int}, time_key: time, time_format: '%d/%b/%Y:%H:%M:%S %z'"
else
  OPTS="format: nginx"
fi
AGENT_PID=""; RECV=""
trap '[ -n "$AGENT_PID" ] && kill "$AGENT_PID" 2>/dev/null; [ -n "$RECV" ] && kill "$RECV" 2>/dev/null; true' EXIT
now() { date +%s%N; }
field() { sed -n "s/.*$1=\([0-9]*\).*/\1/p" "$2"; }
start_swak() {
  if [ "$place" = input ]; then
    TAIL_OPTS=", $OPTS"; PARSE=""
  else
    TAIL_OPTS=""; PARSE="  - parse: {$OPTS}"
  fi
  cat > "$D/task.yml" <<YML
- task:
  - in.FileTail: {path: $LOG, pos_dir: $D/pos, read_from_head: true, tag: bench.access$TAIL_OPTS}
$PARSE
  - out.Fluentd: {host: 127.0.0.1, port: $OUT_PORT, heartbeat_type: none}
YML
  /usr/bin/time -v -o "$D/agent.time" bin/swak run --data-dir "$D/data" "$D/task.yml" 2> "$D/agent.log" &
  TIMEPID=$!
}
start_fluentbit() {
  /usr/bin/time -v -o "$D/agent.time" "$FLUENT_BIT" -f 1 -R "$WORK/parsers.conf" \
    -i tail -p path="$LOG" -p read_from_head=on -p db="$D/tail.db" -t bench.access \
    -F parser -p key_name=log -p parser=nginx -m '*' \
    -o forward -p host=127.0.0.1 -p port="$OUT_PORT" -m '*' > "$D/agent.log" 2>&1 &
  TIMEPID=$!
}
measure() {
  agent=$1
  name=$agent; [ "$agent" = swak ] && [ "$PLACES" != step ] && name=swak-$place
  D=$WORK/$name-$run; rm -rf "$D"; mkdir -p "$D"
  /usr/bin/time -v -o "$D/receiver.time" java -XX:+UseSerialGC $RECEIVER_OPTS -cp "$JCP" FastReceiver "$OUT_PORT" "$EVENTS" 0 \
    > "$D/receiver.out" 2>&1 &
  RECV=$!
  until grep -q listening "$D/receiver.out" 2>/dev/null; do sleep 0.05; done
  T0=$(now)
  "start_$agent"
  bench_wait_receiver "$RECV" "$TIMEPID" "$D/agent.log"
  RECV=""
  AGENT_PID=$(pgrep -P "$TIMEPID" || true)
  [ -n "$AGENT_PID" ] && kill -TERM "$AGENT_PID"
  wait "$TIMEPID" || true
  AGENT_PID=""
  LAST=$(field last_ns "$D/receiver.out")
  bench_record "$name" "$run" "$EVENTS" "$(awk -v t0="$T0" -v l="$LAST" 'BEGIN {printf "%.3f", (l - t0) / 1e9}')" \
    "$(bench_time_cpu "$D/agent.time")" "$(bench_time_rss "$D/agent.time")"
  if [ "$agent" = swak ]; then grep -iE " (error|warn)" "$D/agent.log" | head -5 || true; fi
}
echo "load before: $(uptime)"
for run in $(seq 1 "$RUNS"); do
  for place in $PLACES; do measure swak; done
  if [ "${PEER:-}" = fluent-bit ]; then measure fluentbit; fi
done
echo "load after: $(uptime)"
if [ "$PLACES" = step ]; then
  bench_summary lines swak fluentbit
else
  bench_summary lines swak-input swak-step fluentbit
fi
