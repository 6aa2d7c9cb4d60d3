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
BENCH_PID=
trap 'bench_stop "$BENCH_PID"; rm -rf "$WORK"' EXIT
BENCH_WARMUP=$(send 200000)
# the records the sender sends: whole requests
TOTAL=$(( (RECORDS + BATCH - 1) / BATCH * BATCH ))
WARM=$(( (200000 + BATCH - 1) / BATCH * BATCH ))
for run in $(seq 1 "$RUNS"); do
  # out.Null's count includes the warm-up's
  bench_serve swak "$run" "$TOTAL" records "$(send "$RECORDS")" "expr \$(bench_swak_null_out $MPORT) - $WARM" \
    bin/swak run --data-dir "$WORK/data" "$WORK/otlp-null.yml"
  if [ "${PEER:-}" = fluent-bit ]; then
    bench_serve fluent-bit "$run" "$TOTAL" records "$(send "$RECORDS")" "" \
      "$FLUENT_BIT" -i opentelemetry -p listen=127.0.0.1 -p port="$PORT" -o null -m '*'
  fi
done
bench_summary records swak fluent-bit
