#!/bin/sh
# in.Forward → out.Null throughput: a fast Java sender pushes EVENTS events (PackedForward, BATCH per
# message) into bin/swak: the sender's rate, Swak's CPU seconds (utime+stime from /proc, until it settles) per
# million events and its peak RSS (VmHWM); each run waits until out.Null counted every event (the agent's
# /metrics). RUNS runs, a fresh agent each (bench_server_run in bench/lib.sh).
# Usage: [RUNS=3] [PEER=fluent-bit FLUENT_BIT=…] bench/forward-null.sh [EVENTS] [BATCH] [ack]   (build first: mvn -q -DskipTests package)
# With PEER=fluent-bit, Fluent Bit's in_forward -> null takes the same sender right after each Swak run, measured
# the same way.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
EVENTS=${1:-2000000}
BATCH=${2:-1000}
ACK=${3:-}
RUNS=${RUNS:-3}
PORT=${PORT:-24399}
MPORT=${MPORT:-24289}
LIB=swak-dist/target/lib
WORK=$(mktemp -d)
CLASSES=bench/target/classes
if [ ! -f "$CLASSES/ForwardSender.class" ] || [ bench/ForwardSender.java -nt "$CLASSES/ForwardSender.class" ]; then
  mkdir -p "$CLASSES"; javac -d "$CLASSES" -cp "$LIB/*" bench/ForwardSender.java
fi
SENDER="java -XX:+UseSerialGC -cp '$CLASSES:$LIB/*' ForwardSender 127.0.0.1 $PORT $EVENTS $BATCH $ACK"
cat > "$WORK/forward-null.yml" <<YML
- agent: {http: {port: $MPORT}}
- task:
  - in.Forward: {port: $PORT}
  - out.Null
YML
BENCH_PID=
trap 'bench_stop "$BENCH_PID"; rm -rf "$WORK"' EXIT
for run in $(seq 1 "$RUNS"); do
  bench_serve swak "$run" "$EVENTS" events "$SENDER" "bench_swak_null_out $MPORT" \
    bin/swak run --data-dir "$WORK/data" "$WORK/forward-null.yml"
  if [ "${PEER:-}" = fluent-bit ]; then
    bench_serve fluent-bit "$run" "$EVENTS" events "$SENDER" "" \
      "$FLUENT_BIT" -i forward -p listen=127.0.0.1 -p port="$PORT" -o null -m '*'
  fi
done
bench_summary events swak fluent-bit
