#!/bin/bash
# in.Http NDJSON -> out.Null, gzip off: bench/HttpSender.java POSTs EVENTS events in bodies of BATCH over CONNS
# connections, each request answered once the task accepted it. With PEER=fluent-bit (FLUENT_BIT=path),
# Fluent Bit's http input -> null takes the same sender next, alternating, ROUNDS times; medians at the end.
# Usage: [PEER=fluent-bit FLUENT_BIT=…] bench/http-ndjson.sh [EVENTS] [BATCH] [CONNS] [ROUNDS]   (build first)
set -eu
cd "$(dirname "$0")/.."
EVENTS=${1:-2000000}
BATCH=${2:-1000}
CONNS=${3:-2}
ROUNDS=${4:-3}
PORT=${PORT:-9881}
SWAK=${SWAK:-bin/swak}
TMP=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; rm -rf "$TMP"' EXIT
cat > "$TMP/http-null.yml" <<YML
- task:
  - in.Http: {port: $PORT}
  - out.Null
YML
listening() { i=0; until (echo > /dev/tcp/127.0.0.1/$PORT) 2>/dev/null; do i=$((i+1)); [ $i -gt 300 ] && exit 1; sleep 0.1; done; }
send() { java bench/HttpSender.java "http://127.0.0.1:$PORT/bench" "$EVENTS" "$BATCH" "$CONNS" "$1" | awk '{print $1}'; }
echo "load before: $(uptime)"
: > "$TMP/swak"; : > "$TMP/fb"
for r in $(seq "$ROUNDS"); do
  $SWAK run --data-dir "$TMP/data" "$TMP/http-null.yml" > "$TMP/swak.out" 2> "$TMP/swak.log" & PID=$!
  listening; s=$(send application/x-ndjson); kill $PID; wait $PID 2>/dev/null || true; PID=
  echo "run $r: in.Http -> out.Null $s events/s"; echo "$s" >> "$TMP/swak"
  if [ "${PEER:-}" = fluent-bit ]; then
    "$FLUENT_BIT" -i http -p listen=127.0.0.1 -p port="$PORT" -o null -m '*' > "$TMP/fb.log" 2>&1 & PID=$!
    listening; f=$(send application/json); kill $PID; wait $PID 2>/dev/null || true; PID=
    echo "run $r: fluent-bit http -> null $f events/s"; echo "$f" >> "$TMP/fb"
  fi
done
median() { sort -n "$1" | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]}'; }
echo "median in.Http -> out.Null: $(median "$TMP/swak") events/s"
[ "${PEER:-}" = fluent-bit ] && echo "median fluent-bit http -> null: $(median "$TMP/fb") events/s"
echo "load after: $(uptime)"
