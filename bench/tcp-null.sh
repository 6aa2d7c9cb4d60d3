#!/bin/sh
# in.Tcp (json_lines) -> out.Null throughput: bench/TcpSender.java writes LINES Logstash-style JSON lines
# over CONNS connections; the rate runs from its first byte to the last event counted by out.Null.
# Prints that rate and Swak's CPU seconds per million lines (utime+stime from /proc).
# Usage: [PEER=fluent-bit FLUENT_BIT=…] bench/tcp-null.sh [LINES] [CONNS]   (build first: mvn -q -DskipTests package)
# With PEER=fluent-bit, Fluent Bit's tcp input (format json) -> null takes the same sender right after.
set -eu
cd "$(dirname "$0")/.."
LINES=${1:-4000000}
CONNS=${2:-1}
PORT=${PORT:-5959}
MPORT=${MPORT:-24291}
TMP=$(mktemp -d)
cat > "$TMP/tcp-null.yml" <<YML
- agent: {http: {port: $MPORT}}
- task:
  - in.Tcp: {port: $PORT, format: json_lines}
  - out.Null
YML
bin/swak run --data-dir "$TMP/data" "$TMP/tcp-null.yml" 2> "$TMP/swak.log" &
SWAK=$!
trap 'kill $SWAK 2>/dev/null; rm -rf "$TMP"' EXIT
i=0
until grep -q "listening on" "$TMP/swak.log" 2>/dev/null; do
  i=$((i+1)); [ $i -gt 200 ] && { cat "$TMP/swak.log"; exit 1; }
  sleep 0.1
done
cpu() { awk '{print $14+$15}' /proc/$SWAK/stat; }
TCK=$(getconf CLK_TCK)
C0=$(cpu)
java bench/TcpSender.java 127.0.0.1 "$PORT" "$LINES" "$CONNS" "http://127.0.0.1:$MPORT/metrics"
C1=$(cpu)
echo "swak: $(echo "$C0 $C1 $TCK $LINES" | awk '{printf "%.2f CPU-s total, %.2f CPU-s per million lines", ($2-$1)/$3, ($2-$1)/$3/($4/1e6)}')"
grep -i "error\|warn" "$TMP/swak.log" || true
if [ "${PEER:-}" = fluent-bit ]; then
  kill -TERM $SWAK 2>/dev/null || true
  wait $SWAK 2>/dev/null || true
  "$FLUENT_BIT" -i tcp -p listen=127.0.0.1 -p port="$PORT" -p format=json -o null -m '*' > "$TMP/fb.log" 2>&1 &
  SWAK=$!
  sleep 2
  C0=$(cpu)
  # no counter to ask: the sender's rate of writing (held back by Fluent Bit's reading), then until its CPU settles
  java bench/TcpSender.java 127.0.0.1 "$PORT" "$LINES" "$CONNS" none
  prev=-1; now=$(cpu)
  while [ "$now" != "$prev" ]; do prev=$now; sleep 0.5; now=$(cpu); done
  C1=$(cpu)
  echo "fluent-bit: $(echo "$C0 $C1 $TCK $LINES" | awk '{printf "%.2f CPU-s total, %.2f CPU-s per million lines", ($2-$1)/$3, ($2-$1)/$3/($4/1e6)}')"
fi
