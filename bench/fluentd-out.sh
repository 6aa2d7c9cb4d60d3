#!/bin/sh
# out.Fluentd end to end into a fast receiver (bench/FastReceiver.java: frames messages, counts entries by
# their `size` option, answers acks). Median of RUNS runs of:
#   INPUT=filetail (default): bin/swak tails a file of EVENTS nginx-like lines of ~112 bytes from its head;
#     wall time runs from the moment the script starts bin/swak to the last event at the receiver, so
#     it includes JVM start-up; "first" is the time to the first event at the receiver.
#   INPUT=forward: bench/ForwardSender.java pushes EVENTS events (PackedForward, 1000 per message) into
#     in.Forward of a running bin/swak (the relay); wall time runs from the sender's start (its JVM
#     start included); the receiver's own rate, first to last event, is printed too.
# With BUFFER=file or BUFFER=memory a buffer step sits between the input and out.Fluentd; ACK=1 sets
# require_ack_response; ACK_DELAY_MS=N makes the receiver send each ack N ms after its message (a server a
# round trip away, or one that stores a chunk before acking). Prints lines/s, MiB/s of input, Swak's CPU seconds per million lines
# (user+system, start-up included) and peak RSS (/usr/bin/time -v), and the receiver's CPU.
# PEER=fluent-bit FLUENT_BIT=/path/to/fluent-bit runs Fluent Bit on the same input and receiver right after each
# Swak run (tail from the head -> forward; in_forward -> forward for the relay; storage.type filesystem for
# BUFFER=file; Require_ack_response for ACK=1), and prints both medians and the ratios.
# Usage: [INPUT=filetail|forward] [BUFFER=file|memory] [ACK=1] [ACK_DELAY_MS=0] [RUNS=5] [PEER=fluent-bit] bench/fluentd-out.sh [EVENTS]
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
EVENTS=${1:-2000000}
RUNS=${RUNS:-5}
INPUT=${INPUT:-filetail}
IN_PORT=${IN_PORT:-24398}
OUT_PORT=${OUT_PORT:-24397}
LIB=swak-dist/target/lib
WORK=${BENCH_DIR:-/tmp/swak-bench-forward}
rm -rf "$WORK"; mkdir -p "$WORK"
CLASSES=bench/target/classes
if [ ! -f "$CLASSES/FastReceiver.class" ] || [ bench/FastReceiver.java -nt "$CLASSES/FastReceiver.class" ] \
    || [ ! -f "$CLASSES/ForwardSender.class" ] || [ bench/ForwardSender.java -nt "$CLASSES/ForwardSender.class" ]; then
  mkdir -p "$CLASSES"
  javac -d "$CLASSES" -cp "$LIB/*" bench/FastReceiver.java bench/ForwardSender.java
fi
JCP="$CLASSES:$LIB/*"
# The receiver shares the 2 cores with Swak: C1 only, so its JIT threads take less from the agent
# (C2 gains it nothing on a loop this small; medians of 7: -10% wall for the agent's runs)
RECEIVER_OPTS=${RECEIVER_OPTS:--XX:TieredStopAtLevel=1}
REQ=false; [ "${ACK:-}" = 1 ] && REQ=true
LOG=$WORK/access.log
if [ "$INPUT" = filetail ]; then
  awk -v n="$EVENTS" 'BEGIN { for (i = 0; i < n; i++) printf "127.0.0.1 - - [21/Nov/2026:10:00:00 +0000] \"GET /index/%08d HTTP/1.1\" 200 %d \"-\" \"Mozilla/5.0 (X11; Linux)\"\n", i, 1000 + i }' > "$LOG"
  echo "input: $EVENTS lines, $(stat -c %s "$LOG") bytes"
fi
case ${BUFFER:-none} in
  file) BUFFER_STEP="  - buffer: {type: file, path: $WORK/buffer, fsync: interval, chunk_bytes: 4MiB, flush_interval: 200ms}" ;;
  memory) BUFFER_STEP="  - buffer: {type: memory, chunk_bytes: 4MiB, flush_interval: 200ms}" ;;
  *) BUFFER_STEP="" ;;
esac
AGENT_PID=""; RECV=""
trap '[ -n "$AGENT_PID" ] && kill "$AGENT_PID" 2>/dev/null; [ -n "$RECV" ] && kill "$RECV" 2>/dev/null; true' EXIT
now() { date +%s%N; }
field() { sed -n "s/.*$1=\([0-9]*\).*/\1/p" "$2"; }
start_swak() {
  if [ "$INPUT" = filetail ]; then
    SOURCE="  - in.FileTail: {path: $LOG, pos_dir: $D/pos, read_from_head: true, tag: bench.access}"
  else
    SOURCE="  - in.Forward: {port: $IN_PORT}"
  fi
  cat > "$D/task.yml" <<YML
- task:
$SOURCE
$BUFFER_STEP
  - out.Fluentd: {host: 127.0.0.1, port: $OUT_PORT, require_ack_response: $REQ, heartbeat_type: none}
YML
  /usr/bin/time -v -o "$D/agent.time" bin/swak run --data-dir "$D/data" "$D/task.yml" 2> "$D/agent.log" &
  TIMEPID=$!
  READY="listening on"
}
start_fluentbit() {
  if [ "$INPUT" = filetail ]; then
    FBIN="-i tail -p path=$LOG -p read_from_head=on -p db=$D/tail.db -t bench.access"
  else
    FBIN="-i forward -p listen=127.0.0.1 -p port=$IN_PORT"
  fi
  FBSTORE=""
  [ "${BUFFER:-none}" = file ] && FBSTORE="-p storage.type=filesystem"
  FBACK=""
  [ "$REQ" = true ] && FBACK="-p require_ack_response=true"
  # shellcheck disable=SC2086
  /usr/bin/time -v -o "$D/agent.time" "$FLUENT_BIT" -f 1 ${FBSTORE:+-b $D/flb-storage} $FBIN $FBSTORE \
    -o forward -p host=127.0.0.1 -p port=$OUT_PORT $FBACK -m '*' > "$D/agent.log" 2>&1 &
  TIMEPID=$!
  READY="listening on"
  if [ "$INPUT" != filetail ]; then sleep 1; fi
}
measure() { # AGENT: one run of swak or fluent-bit, appended to AGENT.dat
  agent=$1
  D=$WORK/$agent-$run; rm -rf "$D"; mkdir -p "$D"
  /usr/bin/time -v -o "$D/receiver.time" java -XX:+UseSerialGC $RECEIVER_OPTS -cp "$JCP" FastReceiver "$OUT_PORT" "$EVENTS" "${ACK_DELAY_MS:-0}" \
    > "$D/receiver.out" 2>&1 &
  RECV=$!
  until grep -q listening "$D/receiver.out" 2>/dev/null; do sleep 0.05; done
  T0=$(now)
  "start_$(printf %s "$agent" | tr -d -)" # fluent-bit: start_fluentbit
  if [ "$INPUT" != filetail ]; then
    if [ "$agent" = swak ]; then until grep -q "$READY" "$D/agent.log" 2>/dev/null; do sleep 0.05; done; fi
    T0=$(now)
    java -XX:+UseSerialGC -cp "$JCP" ForwardSender 127.0.0.1 "$IN_PORT" "$EVENTS" 1000 > "$D/sender.out"
  fi
  bench_wait_receiver "$RECV" "$TIMEPID" "$D/agent.log"
  RECV=""
  AGENT_PID=$(pgrep -P "$TIMEPID" || true)
  [ -n "$AGENT_PID" ] && kill -TERM "$AGENT_PID"
  wait "$TIMEPID" || true
  AGENT_PID=""
  FIRST=$(field first_ns "$D/receiver.out"); LAST=$(field last_ns "$D/receiver.out")
  BYTES=$( [ -f "$LOG" ] && stat -c %s "$LOG" || echo $((EVENTS * 112)) )
  W=$(awk -v t0="$T0" -v l="$LAST" 'BEGIN {printf "%.3f", (l - t0) / 1e9}')
  FIRST_S=$(awk -v t0="$T0" -v f="$FIRST" 'BEGIN {printf "%.3f", (f - t0) / 1e9}')
  echo "$FIRST_S" >> "$WORK/first-$agent.txt"
  bench_record "$agent" "$run" "$EVENTS" "$W" "$(bench_time_cpu "$D/agent.time")" "$(bench_time_rss "$D/agent.time")" lines \
    "$(awk -v b="$BYTES" -v w="$W" 'BEGIN {printf "%.0f MiB/s", b / w / 1048576}'), first event $FIRST_S s, receiver CPU $(bench_time_cpu "$D/receiver.time") s"
  # a relay's rate without the sender's JVM start: from the first to the last event at the receiver
  if [ "$INPUT" != filetail ]; then sed -n 's/^receiver: \(.*from its first message\)/  (receiver: \1)/p' "$D/receiver.out"; fi
  if [ "$agent" = swak ]; then grep -iE " (error|warn)" "$D/agent.log" | head -5 || true; fi
}
for run in $(seq 1 "$RUNS"); do
  measure swak
  if [ "${PEER:-}" = fluent-bit ]; then measure fluent-bit; fi
done
bench_summary lines swak fluent-bit
for a in swak fluent-bit; do
  if [ -f "$WORK/first-$a.txt" ]; then
    echo "$a first event, median: $(sort -g "$WORK/first-$a.txt" | sed -n "$(( (RUNS + 1) / 2 ))p") s"
  fi
done
