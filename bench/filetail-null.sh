#!/bin/sh
# in.FileTail -> out.Null (or, with OUTPUT=file, out.File JSON lines) on LINES lines of ~110 bytes: lines/s, CPU seconds per million lines, peak RSS.
# Median of RUNS runs. Usage: bench/filetail-null.sh [LINES] [RUNS]   (build first: mvn -q -o -DskipTests package)
# PEER=fluent-bit FLUENT_BIT=/path/to/fluent-bit: Fluent Bit's tail (read_from_head, exit_on_eof) -> null (or ->
# file, one JSON line per record) on the same file right after each Swak run; both medians and the ratios.
# The agent reads the whole file; when its checkpoint reaches the end of the file every line has been
# acknowledged by out.Null (checkpoints are saved every 0.1 s while busy and once more right after: the figure is up to ~0.15 s
# late), and the agent is stopped with SIGTERM. With OUTPUT=file the end is when the output's last line
# is the input's last. Wall time includes JVM start.
set -eu
LINES=${1:-2000000}
RUNS=${2:-3}
HERE=$(cd "$(dirname "$0")/.." && pwd)
. "$HERE/bench/lib.sh"
WORK=${BENCH_DIR:-/tmp/swak-bench-filetail}
rm -rf "$WORK"; mkdir -p "$WORK"
LOG=$WORK/input.log
bench_app_log "$LOG" "$LINES" # sets SIZE
run_fluentbit() { # one Fluent Bit run on the same file: tail from the head, exit at its end
  rm -f "$WORK/fb-out.log" "$WORK/fb-tail.db"*
  if [ "${OUTPUT:-null}" = file ]; then
    FBOUT="-o file -p path=$WORK -p file=fb-out.log -p format=plain"
  else
    FBOUT="-o null"
  fi
  START=$(date +%s.%N)
  # shellcheck disable=SC2086
  /usr/bin/time -v -o "$WORK/fb-time-$run.txt" "$FLUENT_BIT" -f 1 -i tail -p path="$LOG" -p read_from_head=on \
    -p exit_on_eof=on -p db="$WORK/fb-tail.db" $FBOUT -m '*' > "$WORK/fb-$run.log" 2>&1
  END=$(date +%s.%N)
  bench_record fluent-bit "$run" "$LINES" "$(bench_elapsed "$START" "$END")" "$(bench_time_cpu "$WORK/fb-time-$run.txt")" \
    "$(bench_time_rss "$WORK/fb-time-$run.txt")"
}
run_swak() {
  POS=$WORK/pos-$run
  # OUTPUT=file: out.File writing JSON lines (format json) instead of out.Null
  if [ "${OUTPUT:-null}" = file ]; then
    OUTPUT_STEP="  - out.File: {path: $WORK/out.log, format: ${FORMAT:-json}}"
    rm -f "$WORK/out.log"
  else
    OUTPUT_STEP="  - out.Null"
  fi
  cat > "$WORK/null.yml" <<YML
- task:
  - in.FileTail:
      path: $LOG
      pos_dir: $POS
      read_from_head: true
$OUTPUT_STEP
YML
  START=$(date +%s.%N)
  SWAK_DATA_DIR=$WORK/data /usr/bin/time -v -o "$WORK/time-$run.txt" "$HERE/bin/swak" run "$WORK/null.yml" 2> "$WORK/agent-$run.err" &
  TIMEPID=$!
  # wait until the last line is out (out.File), or the checkpoint says every byte was acknowledged
  LAST_ID=$(printf 'id=%09d ' $((LINES - 1)))
  while :; do
    if [ "${OUTPUT:-null}" = file ]; then
      tail -c 400 "$WORK/out.log" 2>/dev/null | grep -q "$LAST_ID" && break
    else
      # the runtime's position journal: the last saved offset of the one file
      OFF=$(grep -ao 'offset=[0-9]*' "$POS/positions.log" 2>/dev/null | tail -1 | sed 's/offset=//' || true)
      [ "${OFF:-0}" = "$SIZE" ] && break
    fi
    sleep 0.02
  done
  END=$(date +%s.%N)
  bench_end_agent "$TIMEPID"
  bench_record swak "$run" "$LINES" "$(bench_elapsed "$START" "$END")" "$(bench_time_cpu "$WORK/time-$run.txt")" \
    "$(bench_time_rss "$WORK/time-$run.txt")"
}
# alternating, so a change of the machine's load weighs on both alike
for run in $(seq 1 "$RUNS"); do
  run_swak
  if [ "${PEER:-}" = fluent-bit ]; then run_fluentbit; fi
done
# Fluent Bit's wall time includes its exit at the end of the file
bench_summary lines swak fluent-bit
