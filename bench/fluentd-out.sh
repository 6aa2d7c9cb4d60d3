#!/bin/sh
# out.Fluentd throughput into a fast receiver: ForwardSender → bin/swak (in.Forward → out.Fluentd) →
# FastReceiver (bench/FastReceiver.java, counts entries, answers acks). Prints the end-to-end rate at
# the receiver, Swak's CPU and the receiver's CPU (/usr/bin/time -v).
# With INPUT=filetail (needs in.FileTail), Swak tails a file of EVENTS ~100-byte lines instead:
# in.FileTail → out.Fluentd → FastReceiver.
# With BUFFER=file or BUFFER=memory, a buffer step sits between the input and out.Fluentd.
# Usage: [INPUT=filetail] [BUFFER=file|memory] bench/fluentd-out.sh [EVENTS] [BATCH] [ack]   (build first: mvn -q -DskipTests package)
set -eu
cd "$(dirname "$0")/.."
EVENTS=${1:-2000000}
BATCH=${2:-1000}
ACK=${3:-}
IN_PORT=${IN_PORT:-24398}
OUT_PORT=${OUT_PORT:-24397}
LIB=swak-dist/target/lib
TMP=$(mktemp -d)
REQ=false; [ "$ACK" = ack ] && REQ=true
if [ "${INPUT:-forward}" = filetail ]; then
  awk -v n="$EVENTS" 'BEGIN { for (i = 0; i < n; i++) printf "127.0.0.1 - - [21/Nov/2026:10:00:00 +0000] \"GET /index/%08d HTTP/1.1\" 200 %d\n", i, 1000 + i }' > "$TMP/access.log"
  SOURCE="  - in.FileTail: {path: $TMP/access.log, pos_dir: $TMP/pos, read_from_head: true, tag: bench.access}"
else
  SOURCE="  - in.Forward: {port: $IN_PORT}"
fi
BUFFER_STEP=""
if [ "${BUFFER:-none}" = file ]; then
  BUFFER_STEP="  - buffer: {type: file, path: $TMP/buffer, fsync: interval, chunk_bytes: 4MiB, flush_interval: 200ms}"
elif [ "${BUFFER:-none}" = memory ]; then
  BUFFER_STEP="  - buffer: {type: memory, chunk_bytes: 4MiB, flush_interval: 200ms}"
fi
cat > "$TMP/relay.yml" <<YML
- task:
$SOURCE
$BUFFER_STEP
  - out.Fluentd: {host: 127.0.0.1, port: $OUT_PORT, require_ack_response: $REQ, heartbeat_type: none}
YML
/usr/bin/time -v java -cp "$LIB/*" bench/FastReceiver.java "$OUT_PORT" "$EVENTS" > "$TMP/receiver.out" 2> "$TMP/receiver.time" &
RECV=$!
until grep -q listening "$TMP/receiver.out" 2>/dev/null; do sleep 0.1; done
bin/swak run --data-dir "$TMP/data" "$TMP/relay.yml" 2> "$TMP/swak.log" &
SWAK=$!
trap 'kill $SWAK 2>/dev/null; kill $RECV 2>/dev/null; rm -rf "$TMP"' EXIT
cpu() { awk '{print $14+$15}' /proc/$SWAK/stat; }
TCK=$(getconf CLK_TCK)
C0=$(cpu)
if [ "${INPUT:-forward}" != filetail ]; then
  until grep -q "listening on" "$TMP/swak.log" 2>/dev/null; do sleep 0.1; done
  java -cp "$LIB/*" bench/ForwardSender.java 127.0.0.1 "$IN_PORT" "$EVENTS" "$BATCH" $ACK
fi
wait $RECV || true
C1=$(cpu)
cat "$TMP/receiver.out"
echo "swak: $(echo "$C0 $C1 $TCK $EVENTS" | awk '{printf "%.2f CPU-s total, %.2f CPU-s per million events", ($2-$1)/$3, ($2-$1)/$3/($4/1e6)}')"
grep -E "User time|System time|Maximum resident" "$TMP/receiver.time" | sed 's/^/receiver: /'
grep -i "error\|warn" "$TMP/swak.log" || true
