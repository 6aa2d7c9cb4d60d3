#!/bin/sh
# in.OpenTelemetry (OTLP/HTTP protobuf) → out.Null throughput: bench/OtlpSender.java posts RECORDS log
# records in requests of BATCH over CONNS connections, each waiting for its answer (success = the task
# acknowledged it). Each of RUNS rounds starts a fresh agent, warms it up with 200,000 records (not counted:
# the JIT compiles the decoder), then measures one run: the sender's rate, CPU seconds per million records
# (utime+stime from /proc, until it settles) and peak RSS (VmHWM) (bench_server_run in bench/lib.sh).
# PEER=fluent-bit FLUENT_BIT=…: Fluent Bit's opentelemetry input (OTLP/HTTP, the same /v1/logs) -> null takes
# the same sender right after each Swak round, measured the same way.
# Usage: [PEER=fluent-bit FLUENT_BIT=…] bench/otlp-null.sh [RECORDS] [BATCH] [CONNS] [RUNS] [gzip]   (build first)
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
RECORDS=${1:-2000000}
BATCH=${2:-1000}
CONNS=${3:-4}
RUNS=${4:-3}
GZIP=${5:-}
PORT=${PORT:-24318}
MPORT=${MPORT:-24287}
LIB=swak-dist/target/lib
WORK=$(mktemp -d)
CLASSES=bench/target/classes
if [ ! -f "$CLASSES/OtlpSender.class" ] || [ bench/OtlpSender.java -nt "$CLASSES/OtlpSender.class" ]; then
  mkdir -p "$CLASSES"; javac -d "$CLASSES" -cp "$LIB/*" bench/OtlpSender.java
fi
send() { echo "java -XX:+UseSerialGC -cp '$CLASSES:$LIB/*' OtlpSender 127.0.0.1 $PORT $1 $BATCH $CONNS $GZIP"; }
cat > "$WORK/otlp-null.yml" <<YML
- agent: {http: {port: $MPORT}}
- task:
  - in.OpenTelemetry: {port: $PORT, grpc_port: -1, threads: ${THREADS:-2}}
  - out.Null
YML
PID=
trap 'bench_stop "$PID"; rm -rf "$WORK"' EXIT
# the records the sender sends: whole requests
TOTAL=$(( (RECORDS + BATCH - 1) / BATCH * BATCH ))
WARM=$(( (200000 + BATCH - 1) / BATCH * BATCH ))
for run in $(seq 1 "$RUNS"); do
  bin/swak run --data-dir "$WORK/data" "$WORK/otlp-null.yml" 2> "$WORK/swak.log" & PID=$!
  bench_listening "$PORT"
  sh -c "$(send 200000)" > /dev/null
  bench_wait_count "$WARM" "bench_swak_null_out $MPORT" 60
  bench_server_run swak "$run" "$TOTAL" records "$PID" "$(send "$RECORDS")" "expr \$(bench_swak_null_out $MPORT) - $WARM"
  bench_stop "$PID"; PID=
  grep -i "error\|warn" "$WORK/swak.log" || true
  if [ "${PEER:-}" = fluent-bit ]; then
    "$FLUENT_BIT" -i opentelemetry -p listen=127.0.0.1 -p port="$PORT" -o null -m '*' > "$WORK/fb.log" 2>&1 & PID=$!
    bench_listening "$PORT"
    sh -c "$(send 200000)" > /dev/null
    bench_server_run fluent-bit "$run" "$TOTAL" records "$PID" "$(send "$RECORDS")"
    bench_stop "$PID"; PID=
  fi
done
bench_summary records swak fluent-bit
