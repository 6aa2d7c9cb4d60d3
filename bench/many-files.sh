#!/bin/sh
# The workload most hosts have: many files, each growing slowly. bench/TrickleWriter.java appends RATE lines
# per second in all over FILES files (one write per line, round robin) for SECONDS; the agent tails them
# (in.FileTail, one tag) into out.Fluentd -> bench/FastReceiver (LATENCY=1: time from write to arrival).
# Prints the agent's CPU seconds (user+system, start-up included), CPU-s per million lines, % of one core over
# the run, peak RSS, and the latency p50/p99. PEER=fluent-bit FLUENT_BIT=/path/to/fluent-bit runs Fluent Bit's
# tail -> forward on the same writer and receiver right after (build Fluent Bit yourself; see README).
# "steady" is the CPU of the writer's last SECONDS-WARMUP seconds (WARMUP, default a third of SECONDS: the JIT
# compiles the new code paths of a trickle for the first ~10 s; a host agent runs for days).
# Ends with the medians (lines delivered per second, steady CPU-s per million, peak RSS) and Swak / Fluent Bit.
# Usage: [ACK=1] [WARMUP=N] [PEER=fluent-bit FLUENT_BIT=…] [RUNS=1] bench/many-files.sh [FILES] [RATE] [SECONDS]
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
FILES=${1:-500}
RATE=${2:-5000}
SECS=${3:-30}
WARMUP=${WARMUP:-$((SECS / 3))}
RUNS=${RUNS:-1}
PORT=${OUT_PORT:-24396}
LIB=swak-dist/target/lib
WORK=${BENCH_DIR:-/tmp/swak-bench-many-files}
CLASSES=bench/target/classes
if [ ! -f "$CLASSES/TrickleWriter.class" ] || [ bench/TrickleWriter.java -nt "$CLASSES/TrickleWriter.class" ] \
    || [ bench/FastReceiver.java -nt "$CLASSES/FastReceiver.class" ]; then
  mkdir -p "$CLASSES"
  javac -d "$CLASSES" -cp "$LIB/*" bench/FastReceiver.java bench/TrickleWriter.java
fi
REQ=false; [ "${ACK:-}" = 1 ] && REQ=true
TOTAL=$((RATE * SECS))
AGENT=""; RECV=""
trap '[ -n "$AGENT" ] && kill "$AGENT" 2>/dev/null; [ -n "$RECV" ] && kill "$RECV" 2>/dev/null; true' EXIT
ticks() { [ -n "$1" ] && awk '{print $14 + $15}' "/proc/$1/stat" || echo 0; }
cpu() { awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {printf "%.2f", u + s}' "$1"; }
rss() { awk -F': ' '/Maximum resident/ {printf "%d", $2 / 1024}' "$1"; }
one() { # NAME: runs the agent started by start_$NAME against the writer, prints a line
  name=$1; D=$WORK/$name-$run
  rm -rf "$D"; mkdir -p "$D/logs"
  LATENCY=1 IDLE_MS=5000 java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$CLASSES:$LIB/*" FastReceiver "$PORT" \
    "$TOTAL" > "$D/receiver.out" 2>&1 &
  RECV=$!
  until grep -q listening "$D/receiver.out" 2>/dev/null; do sleep 0.05; done
  # the files exist before the agent starts, as on a host (Fluent Bit finds new files only at its refresh)
  java -cp "$CLASSES" TrickleWriter "$D/logs" "$FILES" 1 0 > /dev/null
  "start_$(printf %s "$name" | tr -d -)" # fluent-bit: start_fluentbit
  sleep 2 # the agent's start-up, outside the writer's time (its CPU is counted all the same)
  pid=$(pgrep -P "$AGENT" | head -1 || true)
  before=$(ticks "$pid")
  java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$CLASSES" TrickleWriter "$D/logs" "$FILES" "$RATE" "$SECS" \
    > "$D/writer.out" &
  WRITER=$!
  sleep "$WARMUP"
  warm=$(ticks "$pid")
  wait "$WRITER"
  steadyEnd=$(ticks "$pid")
  wait "$RECV" || true
  RECV=""
  all=$(echo "$(ticks "$pid") $before $(getconf CLK_TCK)" | awk '{printf "%.2f", ($1 - $2) / $3}')
  steady=$(echo "$steadyEnd $warm $(getconf CLK_TCK)" | awk '{printf "%.2f", ($1 - $2) / $3}')
  [ -n "$pid" ] && kill -TERM "$pid"
  wait "$AGENT" || true
  AGENT=""
  got=$(sed -n 's/receiver: \([0-9]*\) events.*/\1/p' "$D/receiver.out")
  lat=$(sed -n 's/receiver: latency of [0-9]* lines: //p' "$D/receiver.out")
  c=$(cpu "$D/time")
  steadyLines=$((RATE * (SECS - WARMUP)))
  echo "$name: $got/$TOTAL lines over $FILES files; steady: CPU $steady s for $steadyLines lines" \
    "($(echo "$steady $steadyLines" | awk '{printf "%.1f", $1 * 1e6 / $2}') CPU-s/M, $(echo "$steady $SECS $WARMUP" | awk '{printf "%.1f", 100 * $1 / ($2 - $3)}') % of a core);" \
    "while writing $all s; whole run $c s; peak RSS $(rss "$D/time") MiB; $lat"
  # for bench_summary: lines delivered per second of writing, steady CPU-s per million, peak RSS
  echo "${got:-0} $SECS $steady $steadyLines $(rss "$D/time")" | awk '{printf "%.0f %.4f %d\n", $1 / $2, $3 * 1e6 / $4, $5}' >> "$WORK/$name.dat"
}
start_swak() {
  cat > "$D/task.yml" <<YML
- task:
  - in.FileTail: {path: "$D/logs/*.log", read_from_head: true, tag: bench.trickle}
  - out.Fluentd: {host: 127.0.0.1, port: $PORT, require_ack_response: $REQ, heartbeat_type: none}
YML
  /usr/bin/time -v -o "$D/time" bin/swak run --data-dir "$D/data" "$D/task.yml" 2> "$D/agent.log" &
  AGENT=$!
  until grep -q "following" "$D/agent.log" 2>/dev/null; do sleep 0.05; done
}
start_fluentbit() {
  cat > "$D/fluent-bit.conf" <<CONF
[SERVICE]
    Flush 1
    Log_Level warn
[INPUT]
    Name tail
    Path $D/logs/*.log
    Read_from_Head true
    Tag bench.trickle
    DB $D/tail.db
[OUTPUT]
    Name forward
    Match *
    Host 127.0.0.1
    Port $PORT
    Require_ack_response $REQ
CONF
  /usr/bin/time -v -o "$D/time" "$FLUENT_BIT" -c "$D/fluent-bit.conf" > "$D/agent.log" 2>&1 &
  AGENT=$!
  sleep 1
}
rm -f "$WORK"/*.dat
for run in $(seq 1 "$RUNS"); do
  one swak
  if [ "${PEER:-}" = fluent-bit ]; then
    one fluent-bit
  fi
done
# medians of the lines delivered per second, the steady CPU-s per million lines and the peak RSS; Swak / Fluent Bit
bench_summary lines swak fluent-bit
