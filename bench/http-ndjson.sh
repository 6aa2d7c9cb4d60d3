#!/bin/sh
# in.Http NDJSON -> out.Null, gzip off: bench/HttpSender.java POSTs EVENTS events in bodies of BATCH over CONNS
# connections, each request answered once the task accepted it: the sender's rate, CPU seconds (utime+stime
# from /proc, until it settles) per million events and peak RSS (VmHWM); a fresh agent each round
# (bench_server_run in bench/lib.sh). With PEER=fluent-bit (FLUENT_BIT=path), Fluent Bit's http input -> null
# takes the same sender next (the same lines as application/json: it refuses application/x-ndjson),
# alternating, ROUNDS times.
# Usage: [PEER=fluent-bit FLUENT_BIT=…] bench/http-ndjson.sh [EVENTS] [BATCH] [CONNS] [ROUNDS]   (build first)
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
EVENTS=${1:-2000000}
BATCH=${2:-1000}
CONNS=${3:-2}
ROUNDS=${4:-3}
PORT=${PORT:-9881}
MPORT=${MPORT:-24288}
SWAK=${SWAK:-bin/swak}
WORK=$(mktemp -d)
CLASSES=bench/target/classes
if [ ! -f "$CLASSES/HttpSender.class" ] || [ bench/HttpSender.java -nt "$CLASSES/HttpSender.class" ]; then
  mkdir -p "$CLASSES"; javac -d "$CLASSES" bench/HttpSender.java
fi
send() { echo "java -XX:+UseSerialGC -cp $CLASSES HttpSender http://127.0.0.1:$PORT/bench $EVENTS $BATCH $CONNS $1"; }
BENCH_PID=
trap 'bench_stop "$BENCH_PID"; rm -rf "$WORK"' EXIT
cat > "$WORK/http-null.yml" <<YML
- agent: {http: {port: $MPORT}}
- task:
  - in.Http: {port: $PORT}
  - out.Null
YML
for r in $(seq "$ROUNDS"); do
  bench_serve swak "$r" "$EVENTS" events "$(send application/x-ndjson)" "bench_swak_null_out $MPORT" \
    $SWAK run --data-dir "$WORK/data" "$WORK/http-null.yml"
  if [ "${PEER:-}" = fluent-bit ]; then
    bench_serve fluent-bit "$r" "$EVENTS" events "$(send application/json)" "" \
      "$FLUENT_BIT" -i http -p listen=127.0.0.1 -p port="$PORT" -o null -m '*'
  fi
done
bench_summary events swak fluent-bit
