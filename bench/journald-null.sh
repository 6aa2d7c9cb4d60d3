#!/bin/sh
# in.Journald -> out.Null on a journal of ENTRIES entries (~330 bytes of JSON each, written by
# systemd-journal-remote), next to journalctl alone writing the same JSON to /dev/null, which is the floor:
# in.Journald reads through journalctl. Median of RUNS runs of each, run alternately; entries/s, CPU seconds
# per million entries (Swak: the agent and its journalctl), peak RSS of the agent.
# Usage: bench/journald-null.sh [ENTRIES] [RUNS]   (build first: mvn -q -o -DskipTests install)
# Needs journalctl and /lib/systemd/systemd-journal-remote (apt-get install systemd-journal-remote).
# The agent's run ends when its saved cursor is the journal's last entry's (positions are saved every
# ~0.1 s while busy: the figure is up to ~0.15 s late); wall time includes JVM start.
set -eu
ENTRIES=${1:-200000}
RUNS=${2:-3}
HERE=$(cd "$(dirname "$0")/.." && pwd)
WORK=${BENCH_DIR:-/tmp/swak-bench-journald}
REMOTE=/lib/systemd/systemd-journal-remote
rm -rf "$WORK"; mkdir -p "$WORK/journal"
awk -v n="$ENTRIES" 'BEGIN { t = 1796000000000000; for (i = 0; i < n; i++)
  printf "__REALTIME_TIMESTAMP=%.0f\n__MONOTONIC_TIMESTAMP=%d\n_BOOT_ID=0123456789abcdef0123456789abcdef\n_SYSTEMD_UNIT=app.service\nPRIORITY=6\n_PID=4242\n_HOSTNAME=bench\nSYSLOG_IDENTIFIER=app\nMESSAGE=request id=%09d path=/api/v1/items status=200 took=%03dms worker-%02d\n\n",
    t + i, i + 1, i, i % 997, i % 16 }' | "$REMOTE" -o "$WORK/journal/bench.journal" - 2> "$WORK/remote.log"
LAST=$(journalctl --directory="$WORK/journal" -o json --no-pager --lines=1 | sed 's/.*"__CURSOR":"\([^"]*\)".*/\1/')
echo "journal: $ENTRIES entries, $(du -sh "$WORK/journal" | cut -f1), last cursor $LAST; load: $(cut -d' ' -f1-3 /proc/loadavg)"
: > "$WORK/results.txt"; : > "$WORK/results-jc.txt"
for run in $(seq 1 "$RUNS"); do
  # journalctl alone: the same options in.Journald passes, without --follow
  START=$(date +%s.%N)
  /usr/bin/time -v -o "$WORK/jc-time-$run.txt" journalctl --directory="$WORK/journal" --output=json --all \
    --no-pager --lines=all > /dev/null
  END=$(date +%s.%N)
  CPU=$(awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {print u+s}' "$WORK/jc-time-$run.txt")
  awk -v n="$ENTRIES" -v s="$START" -v e="$END" -v c="$CPU" -v run="$run" 'BEGIN {
    printf "journalctl run %d: %.0f entries/s  %.2f CPU-s per million  (wall %.2f s)\n", run, n / (e - s),
      c / (n / 1e6), e - s }' | tee -a "$WORK/results-jc.txt"
  POS=$WORK/pos-$run
  cat > "$WORK/null.yml" <<YML
- task:
  - in.Journald: {directory: "$WORK/journal", read_from_head: true, pos_dir: "$POS"}
  - out.Null
YML
  START=$(date +%s.%N)
  SWAK_DATA_DIR=$WORK/data /usr/bin/time -v -o "$WORK/time-$run.txt" "$HERE/bin/swak" run "$WORK/null.yml" \
    2> "$WORK/agent-$run.err" &
  TIMEPID=$!
  while ! grep -qF "$LAST" "$POS/positions.log" 2>/dev/null; do
    sleep 0.02
  done
  END=$(date +%s.%N)
  JPID=$(pgrep -P "$TIMEPID" java || true)
  [ -n "$JPID" ] && kill -TERM "$JPID"
  wait "$TIMEPID" || true
  # the agent's CPU includes its journalctl (a child it waited for)
  CPU=$(awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {print u+s}' "$WORK/time-$run.txt")
  RSS=$(awk -F': ' '/Maximum resident/ {print $2}' "$WORK/time-$run.txt")
  awk -v n="$ENTRIES" -v s="$START" -v e="$END" -v c="$CPU" -v r="$RSS" -v run="$run" 'BEGIN {
    printf "swak run %d: %.0f entries/s  %.2f CPU-s per million  peak RSS %.0f MiB  (wall %.2f s)\n", run,
      n / (e - s), c / (n / 1e6), r / 1024, e - s }' | tee -a "$WORK/results.txt"
done
med() { awk -v f="$1" '{ print $f }' "$2" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"; }
SW=$(med 4 "$WORK/results.txt"); JC=$(med 4 "$WORK/results-jc.txt")
echo "median of $RUNS: swak $SW entries/s, $(med 6 "$WORK/results.txt") CPU-s per million, peak RSS $(med 12 \
  "$WORK/results.txt") MiB; journalctl alone $JC entries/s, $(med 6 "$WORK/results-jc.txt") CPU-s per million"
awk -v a="$SW" -v b="$JC" 'BEGIN { printf "swak / journalctl alone: %.2f of the rate\n", a / b }'
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
