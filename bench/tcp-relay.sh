#!/bin/sh
# Relay agent -> collector over out.Tcp -> in.Tcp, compressed: agent A tails a file of LINES Logstash-style
# access-log lines (in.FileTail, from the head) and sends them with out.Tcp; collector B (in.Tcp -> out.Null)
# counts them. A run's time is from A's start (JVM start included) until B has every line (its /metrics, polled
# every 50 ms); CPU is A's and B's together per million lines (A under /usr/bin/time, B from /proc), peak RSS is
# A's; also B's own rate, first to last event, and the compression ratio (A's plain bytes per wire byte).
# PEER=fluent-bit FLUENT_BIT=…: right after each Swak run, Fluent Bit's tail (read_from_head, exit_on_eof) ->
# forward (compress gzip) into a second Fluent Bit's in_forward -> null on the same port, two processes; its time
# runs from A's start to A's exit (it flushes at the end of the file), then B's count (its HTTP server) must be
# LINES. Fluent Bit sends the lines as its records, Swak as json_lines (FORMAT=).
# Usage: [RUNS=3] [FORMAT=json_lines|msgpack|forward] [ACK=1] [COMPRESS=gzip|zstd|none] [LEVEL=N] bench/tcp-relay.sh [LINES]
# (build first: mvn -q -DskipTests package)
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
LINES=${1:-4000000}
RUNS=${RUNS:-3}
FORMAT=${FORMAT:-json_lines}
COMPRESS=${COMPRESS:-gzip}
PORT=${PORT:-5960}
MA=${MA:-24292}
MB=${MB:-24293}
WORK=$(mktemp -d)
LIB=swak-dist/target/lib
CLASSES=bench/target/classes
if [ ! -f "$CLASSES/TcpSender.class" ] || [ bench/TcpSender.java -nt "$CLASSES/TcpSender.class" ]; then
  mkdir -p "$CLASSES"; javac -d "$CLASSES" -cp "$LIB/*" bench/TcpSender.java
fi
awk -v n="$LINES" 'BEGIN { for (i = 0; i < n; i++) printf "10.0.%d.%d - - [02/Dec/2026:01:50:%02d +0000] \"GET /index/%08d HTTP/1.1\" 200 %d \"-\" \"Mozilla/5.0 (X11; Linux x86_64)\" %d ms\n", i % 256, (i * 7) % 256, i % 60, (i * 7919) % 100000000, 1000 + i % 1000, i % 97 }' > "$WORK/app.log"
ACKOPT=""
[ -n "${ACK:-}" ] && ACKOPT=", require_ack: true"
[ -n "${LEVEL:-}" ] && ACKOPT="$ACKOPT, compress_level: $LEVEL"
cat > "$WORK/b.yml" <<YML
- agent: {http: {port: $MB}}
- task:
  - in.Tcp: {port: $PORT, format: $FORMAT}
  - out.Null
YML
B=; A=
trap 'bench_stop "$A"; bench_stop "$B"; rm -rf "$WORK"' EXIT
run_swak() {
  bin/swak run --data-dir "$WORK/b-data-$run" "$WORK/b.yml" 2> "$WORK/b.log" & B=$!
  bench_listening "$PORT"
  cat > "$WORK/a.yml" <<YML
- agent: {http: {port: $MA}}
- task:
  - in.FileTail: {path: "$WORK/app.log", pos_dir: "$WORK/pos-$run", read_from_head: true}
  - out.Tcp: {host: 127.0.0.1, port: $PORT, format: $FORMAT, compress: $COMPRESS$ACKOPT}
YML
  CB0=$(bench_ticks "$B")
  T0=$(bench_now)
  /usr/bin/time -v -o "$WORK/a-$run.time" bin/swak run --data-dir "$WORK/a-data-$run" "$WORK/a.yml" 2> "$WORK/a.log" & A=$!
  OWN=$(java -XX:+UseSerialGC -cp "$CLASSES" TcpSender wait "http://127.0.0.1:$MB/metrics" "$LINES")
  T1=$(bench_now)
  CB1=$(bench_ticks "$B"); RB=$(bench_hwm "$B")
  RATIO=$(curl -s "http://127.0.0.1:$MA/metrics" | awk '/^swak_compression_ratio_percent/ {print $NF/100}')
  bench_stop "$(pgrep -P "$A" java || true)"; wait "$A" || true; A=
  bench_stop "$B"; B=
  CA=$(bench_time_cpu "$WORK/a-$run.time")
  bench_record swak "$run" "$LINES" "$(bench_elapsed "$T0" "$T1")" \
    "$(echo "$CA $CB0 $CB1 $(bench_hz)" | awk '{printf "%.2f", $1 + ($3 - $2) / $4}')" "$(bench_time_rss "$WORK/a-$run.time")" lines \
    "agent CPU $CA s, collector $(echo "$CB0 $CB1 $(bench_hz)" | awk '{printf "%.2f", ($2 - $1) / $3}') s and $((RB / 1024)) MiB; collector: $OWN; ratio ${RATIO:-?}x"
  grep -i "error\|warn" "$WORK/a.log" "$WORK/b.log" | grep -v "at-most-once" || true
}
run_fluentbit() {
  "$FLUENT_BIT" -H -P "$MB" -i forward -p listen=127.0.0.1 -p port="$PORT" -o null -m '*' > "$WORK/fb-b.log" 2>&1 & B=$!
  bench_listening "$PORT"
  CB0=$(bench_ticks "$B")
  T0=$(bench_now)
  /usr/bin/time -v -o "$WORK/fb-a-$run.time" "$FLUENT_BIT" -f 1 -i tail -p path="$WORK/app.log" -p read_from_head=on \
    -p exit_on_eof=on -p db="$WORK/fb-tail-$run.db" -o forward -p host=127.0.0.1 -p port="$PORT" \
    -p compress="$COMPRESS" -m '*' > "$WORK/fb-a.log" 2>&1
  T1=$(bench_now)
  bench_wait_count "$LINES" "bench_fb_count $MB input forward.0" 10 || echo "fluent-bit: the collector did not get every line"
  CB1=$(bench_ticks "$B"); RB=$(bench_hwm "$B")
  bench_stop "$B"; B=
  CA=$(bench_time_cpu "$WORK/fb-a-$run.time")
  bench_record fluent-bit "$run" "$LINES" "$(bench_elapsed "$T0" "$T1")" \
    "$(echo "$CA $CB0 $CB1 $(bench_hz)" | awk '{printf "%.2f", $1 + ($3 - $2) / $4}')" "$(bench_time_rss "$WORK/fb-a-$run.time")" lines \
    "agent CPU $CA s, collector $(echo "$CB0 $CB1 $(bench_hz)" | awk '{printf "%.2f", ($2 - $1) / $3}') s and $((RB / 1024)) MiB"
}
echo "format $FORMAT, compress $COMPRESS${LEVEL:+ level $LEVEL}${ACK:+, acks}: file $(wc -c < "$WORK/app.log") bytes"
for run in $(seq 1 "$RUNS"); do
  run_swak
  if [ "${PEER:-}" = fluent-bit ]; then run_fluentbit; fi
done
bench_summary lines swak fluent-bit
