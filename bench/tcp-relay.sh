#!/bin/sh
# Relay agent -> collector over out.Tcp -> in.Tcp, compressed: agent A tails a file of LINES Logstash-style
# access-log lines (in.FileTail, from the head) and sends them with out.Tcp; collector B (in.Tcp -> out.Null) counts
# them. The rate runs from B's first event to its last; the compression ratio is A's plain bytes per wire byte.
# Usage: [FORMAT=json_lines|msgpack|forward] [ACK=1] [COMPRESS=gzip|zstd|none] [LEVEL=N] bench/tcp-relay.sh [LINES]
# (build first: mvn -q -DskipTests package)
set -eu
cd "$(dirname "$0")/.."
LINES=${1:-4000000}
FORMAT=${FORMAT:-json_lines}
COMPRESS=${COMPRESS:-gzip}
PORT=${PORT:-5960}
MA=${MA:-24292}
MB=${MB:-24293}
TMP=$(mktemp -d)
awk -v n="$LINES" 'BEGIN { for (i = 0; i < n; i++) printf "10.0.%d.%d - - [02/Dec/2026:01:50:%02d +0000] \"GET /index/%08d HTTP/1.1\" 200 %d \"-\" \"Mozilla/5.0 (X11; Linux x86_64)\" %d ms\n", i % 256, (i * 7) % 256, i % 60, (i * 7919) % 100000000, 1000 + i % 1000, i % 97 }' > "$TMP/app.log"
ACKOPT=""
[ -n "${ACK:-}" ] && ACKOPT=", require_ack: true"
[ -n "${LEVEL:-}" ] && ACKOPT="$ACKOPT, compress_level: $LEVEL"
cat > "$TMP/b.yml" <<YML
- agent: {http: {port: $MB}}
- task:
  - in.Tcp: {port: $PORT, format: $FORMAT}
  - out.Null
YML
cat > "$TMP/a.yml" <<YML
- agent: {http: {port: $MA}}
- task:
  - in.FileTail: {path: "$TMP/app.log", read_from_head: true}
  - out.Tcp: {host: 127.0.0.1, port: $PORT, format: $FORMAT, compress: $COMPRESS$ACKOPT}
YML
bin/swak run --data-dir "$TMP/b-data" "$TMP/b.yml" 2> "$TMP/b.log" &
B=$!
trap 'kill $B ${A:-} 2>/dev/null; rm -rf "$TMP"' EXIT
i=0
until grep -q "listening on" "$TMP/b.log" 2>/dev/null; do
  i=$((i+1)); [ $i -gt 200 ] && { cat "$TMP/b.log"; exit 1; }
  sleep 0.1
done
cpu() { awk '{print $14+$15}' /proc/$1/stat; }
TCK=$(getconf CLK_TCK)
CB0=$(cpu $B)
bin/swak run --data-dir "$TMP/a-data" "$TMP/a.yml" 2> "$TMP/a.log" &
A=$!
echo "run 1: $(java bench/TcpSender.java wait "http://127.0.0.1:$MB/metrics" "$LINES")"
CA=$(cpu $A); CB1=$(cpu $B)
RATIO=$(curl -s "http://127.0.0.1:$MA/metrics" | awk '/^swak_compression_ratio_percent/ {print $NF/100}')
WIRE=$(curl -s "http://127.0.0.1:$MA/metrics" | awk '/^swak_wire_bytes/ {print $NF}')
echo "format $FORMAT, compress $COMPRESS${LEVEL:+ level $LEVEL}${ACK:+, acks}: file $(wc -c < "$TMP/app.log") bytes, wire ${WIRE:-?} bytes, ratio ${RATIO:-?}x"
echo "CPU-s per million lines: agent $(echo "$CA $TCK $LINES" | awk '{printf "%.2f (incl. start)", $1/$2/($3/1e6)}'), collector $(echo "$CB0 $CB1 $TCK $LINES" | awk '{printf "%.2f", ($2-$1)/$3/($4/1e6)}')"
grep -i "error\|warn" "$TMP/a.log" "$TMP/b.log" | grep -v "at-most-once" || true
