#!/bin/sh
# in.Forward → out.Null throughput: a fast Java sender pushes EVENTS events (PackedForward, BATCH per
# message) into bin/swak; prints the sender's rate and Swak's CPU seconds (utime+stime from /proc).
# Usage: [PEER=fluent-bit FLUENT_BIT=…] bench/forward-null.sh [EVENTS] [BATCH] [ack]      (build first: mvn -q -DskipTests package)
# With PEER=fluent-bit, Fluent Bit's in_forward -> null takes the same sender right after, measured the same way.
set -eu
cd "$(dirname "$0")/.."
EVENTS=${1:-2000000}
BATCH=${2:-1000}
ACK=${3:-}
PORT=${PORT:-24399}
LIB=swak-dist/target/lib
TMP=$(mktemp -d)
cat > "$TMP/forward-null.yml" <<YML
- task:
  - in.Forward: {port: $PORT}
  - out.Null
YML
bin/swak run --data-dir "$TMP/data" "$TMP/forward-null.yml" 2> "$TMP/swak.log" &
SWAK=$!
trap 'kill $SWAK 2>/dev/null; rm -rf "$TMP"' EXIT
i=0
until grep -q "listening on" "$TMP/swak.log" 2>/dev/null; do
  i=$((i+1)); [ $i -gt 100 ] && { cat "$TMP/swak.log"; exit 1; }
  sleep 0.1
done
cpu() { awk '{print $14+$15}' /proc/$SWAK/stat; }
TCK=$(getconf CLK_TCK)
C0=$(cpu)
java -cp "$LIB/*" bench/ForwardSender.java 127.0.0.1 "$PORT" "$EVENTS" "$BATCH" $ACK
# the sender returns when its bytes are written; wait until Swak stops burning CPU (queue drained)
prev=-1; now=$(cpu)
while [ "$now" != "$prev" ]; do prev=$now; sleep 0.5; now=$(cpu); done
C1=$(cpu)
echo "swak: $(echo "$C0 $C1 $TCK $EVENTS" | awk '{printf "%.2f CPU-s total, %.2f CPU-s per million events", ($2-$1)/$3, ($2-$1)/$3/($4/1e6)}')"
grep -i "error\|warn" "$TMP/swak.log" || true
if [ "${PEER:-}" = fluent-bit ]; then
  kill -TERM $SWAK 2>/dev/null || true
  wait $SWAK 2>/dev/null || true
  "$FLUENT_BIT" -i forward -p listen=127.0.0.1 -p port="$PORT" -o null -m '*' > "$TMP/fb.log" 2>&1 &
  SWAK=$!
  sleep 2
  C0=$(cpu)
  java -cp "$LIB/*" bench/ForwardSender.java 127.0.0.1 "$PORT" "$EVENTS" "$BATCH" $ACK
  prev=-1; now=$(cpu)
  while [ "$now" != "$prev" ]; do prev=$now; sleep 0.5; now=$(cpu); done
  C1=$(cpu)
  echo "fluent-bit: $(echo "$C0 $C1 $TCK $EVENTS" | awk '{printf "%.2f CPU-s total, %.2f CPU-s per million events", ($2-$1)/$3, ($2-$1)/$3/($4/1e6)}')"
fi
