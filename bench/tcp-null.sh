#!/bin/sh
# in.Tcp (json_lines) -> out.Null throughput: bench/TcpSender.java writes LINES Logstash-style JSON lines
# over CONNS connections: the sender's rate of writing (held back by the agent's reading), Swak's CPU seconds
# (utime+stime from /proc, until it settles) per million lines and peak RSS (VmHWM); each Swak run waits until
# out.Null counted every line. RUNS runs (default 3), a fresh agent each (bench_server_run in bench/lib.sh).
# Usage: [RUNS=3] [PEER=fluent-bit FLUENT_BIT=…] bench/tcp-null.sh [LINES] [CONNS]   (build first: mvn -q -DskipTests package)
# With PEER=fluent-bit, Fluent Bit's tcp input (format json) -> null takes the same sender right after each Swak
# run, measured the same way.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
LINES=${1:-4000000}
CONNS=${2:-1}
RUNS=${RUNS:-3}
PORT=${PORT:-5959}
MPORT=${MPORT:-24291}
WORK=$(mktemp -d)
LIB=swak-dist/target/lib
CLASSES=bench/target/classes
if [ ! -f "$CLASSES/TcpSender.class" ] || [ bench/TcpSender.java -nt "$CLASSES/TcpSender.class" ]; then
  mkdir -p "$CLASSES"; javac -d "$CLASSES" -cp "$LIB/*" bench/TcpSender.java
fi
# the sender writes whole thousands per connection
TOTAL=$((LINES / CONNS / 1000 * 1000 * CONNS))
SENDER="java -XX:+UseSerialGC -cp '$CLASSES' TcpSender 127.0.0.1 $PORT $LINES $CONNS none"
cat > "$WORK/tcp-null.yml" <<YML
- agent: {http: {port: $MPORT}}
- task:
  - in.Tcp: {port: $PORT, format: json_lines}
  - out.Null
YML
BENCH_PID=
trap 'bench_stop "$BENCH_PID"; rm -rf "$WORK"' EXIT
for run in $(seq 1 "$RUNS"); do
  bench_serve swak "$run" "$TOTAL" lines "$SENDER" "bench_swak_null_out $MPORT" bin/swak run --data-dir "$WORK/data" "$WORK/tcp-null.yml"
  if [ "${PEER:-}" = fluent-bit ]; then
    bench_serve fluent-bit "$run" "$TOTAL" lines "$SENDER" "" \
      "$FLUENT_BIT" -i tcp -p listen=127.0.0.1 -p port="$PORT" -p format=json -o null -m '*'
  fi
done
bench_summary lines swak fluent-bit
