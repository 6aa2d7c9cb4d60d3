#!/bin/sh
# Idle CPU of in.FileTail watching FILES files (default 10,000 in 10 directories): once every file is
# read and checkpointed, CPU time of the agent over SECONDS (default 60) of no writes, from /proc.
# Usage: [REFRESH=60s] bench/filetail-idle.sh [FILES] [SECONDS]   (build first: mvn -q -o -DskipTests package)
# PEER=fluent-bit FLUENT_BIT=…: the same for Fluent Bit's tail over the same files afterwards (measured from
# 30 s after its start: it has no checkpoint count to wait for).
set -eu
FILES=${1:-10000}
SECS=${2:-60}
HERE=$(cd "$(dirname "$0")/.." && pwd)
. "$HERE/bench/lib.sh"
WORK=${BENCH_DIR:-/tmp/swak-bench-idle}
rm -rf "$WORK"; mkdir -p "$WORK/logs"
i=0
while [ $i -lt 10 ]; do mkdir -p "$WORK/logs/d$i"; i=$((i + 1)); done
awk -v n="$FILES" -v d="$WORK/logs" 'BEGIN { for (i = 0; i < n; i++) { f = d "/d" (i % 10) "/f" i ".log"; print "line of file " i > f; close(f) } }'
cat > "$WORK/idle.yml" <<YML
- task:
  - in.FileTail:
      path: $WORK/logs/*/*.log
      pos_dir: $WORK/pos
      read_from_head: true
      refresh_interval: ${REFRESH:-60s}
  - out.Null
YML
SWAK_DATA_DIR=$WORK/data "$HERE/bin/swak" run "$WORK/idle.yml" 2> "$WORK/agent.err" &
PID=$!
trap 'kill -TERM $PID 2>/dev/null || true' EXIT
# every file read and checkpointed: as many keys in the runtime's position journal as files
keys() { grep -ao '^[0-9a-f]\{8\} +[^	]*' "$WORK/pos/positions.log" 2>/dev/null | sort -u | wc -l; }
while [ "$(keys)" -lt "$FILES" ]; do sleep 0.5; done
sleep 2
TICKS=$(getconf CLK_TCK)
cpu() { awk '{ print $14 + $15 }' "/proc/$PID/stat"; }
threads() { for t in /proc/$PID/task/*; do echo "$(basename "$t") $(awk '{ print $14 + $15 }' "$t/stat") $(tr ' ' _ < "$t/comm")"; done | sort; }
threads > "$WORK/threads-a"
A=$(cpu)
sleep "$SECS"
B=$(cpu)
threads > "$WORK/threads-b"
echo "busiest threads (CPU ticks of 1/$(getconf CLK_TCK) s):"
join "$WORK/threads-a" "$WORK/threads-b" | awk '{ d = $4 - $2; if (d > 0) print "  " d, $3 }' | sort -rn | head -5
THREADS=$(ls "/proc/$PID/task" | wc -l)
FDS=$(ls "/proc/$PID/fd" | wc -l)
RSS=$(awk '/VmRSS/ { print $2 }' "/proc/$PID/status")
SWAK_CPU=$(( B - A )); SWAK_RSS=$RSS
awk -v a="$A" -v b="$B" -v t="$TICKS" -v s="$SECS" -v f="$FILES" -v th="$THREADS" -v fd="$FDS" -v r="$RSS" 'BEGIN {
  printf "%d files watched, idle %d s: %.2f CPU-s = %.3f%% of one core; %d threads, %d open fds, RSS %.0f MiB\n",
    f, s, (b - a) / t, 100 * (b - a) / t / s, th, fd, r / 1024 }'

if [ "${PEER:-}" = fluent-bit ]; then
  kill -TERM $PID 2>/dev/null || true
  wait $PID 2>/dev/null || true
  "$FLUENT_BIT" -f 1 -i tail -p path="$WORK/logs/*/*.log" -p read_from_head=on -p db="$WORK/fb-tail.db" \
    -p refresh_interval=60 -o null -m '*' > "$WORK/fb.log" 2>&1 &
  PID=$!
  sleep 30
  A=$(cpu)
  sleep "$SECS"
  B=$(cpu)
  RSS=$(awk '/VmRSS/ { print $2 }' "/proc/$PID/status")
  awk -v a="$A" -v b="$B" -v t="$TICKS" -v s="$SECS" -v f="$FILES" -v r="$RSS" 'BEGIN {
    printf "fluent-bit: %d files watched, idle %d s: %.2f CPU-s = %.3f%% of one core; RSS %.0f MiB\n",
      f, s, (b - a) / t, 100 * (b - a) / t / s, r / 1024 }'
  echo "swak / fluent-bit: $(echo "$SWAK_CPU $((B - A))" | awk '{ if ($2 > 0) printf "%.2fx", $1 / $2; else print "- (fluent-bit: 0 ticks)" }') idle CPU," \
    "$(echo "$SWAK_RSS $RSS" | awk '{printf "%.2fx", $1 / $2}') RSS"
fi
echo "load: $(bench_load)"
