# Shared by the bench scripts (sourced, POSIX sh): one run's figures, the medians and the ratios Swak / peer.
# A script sets WORK (its scratch directory) and, for every run of an agent WHO, calls
#   bench_record WHO RUN COUNT SECONDS CPU_S RSS_KIB [UNIT] [EXTRA]
# which prints "WHO run RUN: RATE UNIT/s  CPU-s per million UNIT  peak RSS MiB  (wall, CPU) EXTRA" and appends
# "rate cpu_per_million rss_mib" to $WORK/WHO.dat; at the end
#   bench_summary UNIT WHO PEER...
# prints each one's medians and, for every PEER that has runs, "WHO / PEER:" the ratios of lines/s, CPU-s per
# million and peak RSS (above 1x: WHO has more of it).

# user+system seconds and peak RSS (KiB) of a process run under /usr/bin/time -v -o FILE
bench_time_cpu() { awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {printf "%.2f", u+s}' "$1"; }
bench_time_rss() { awk -F': ' '/Maximum resident/ {print $2}' "$1"; }
# the same of a live process from /proc: CPU ticks so far (divide by bench_hz) and the peak RSS so far (KiB)
bench_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
bench_hz() { getconf CLK_TCK; }
bench_hwm() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }
bench_now() { date +%s.%N; }
bench_elapsed() { awk -v s="$1" -v e="$2" 'BEGIN {printf "%.3f", e - s}'; } # START END (bench_now) -> seconds
bench_load() { cut -d' ' -f1-3 /proc/loadavg; }

# until COMMAND prints a number >= N (polled every 20 ms), at most LIMIT seconds (default 600); 1 if it timed out
bench_wait_count() {
  _n=$1; _limit=${3:-600}; _t0=$(date +%s)
  while :; do
    _c=$(eval "$2" 2>/dev/null || true)
    [ -n "$_c" ] && [ "${_c%.*}" -ge "$_n" ] 2>/dev/null && return 0
    [ $(( $(date +%s) - _t0 )) -ge "$_limit" ] && { echo "gave up after ${_limit}s at ${_c:-nothing} of $_n" >&2; return 1; }
    sleep 0.02
  done
}
# records counted by Fluent Bit's built-in HTTP server (-H -P PORT; refreshed once a second): KIND input|output,
# NAME e.g. forward.0, FIELD (records; proc_records for an output)
bench_fb_count() {
  curl -s "http://127.0.0.1:$1/api/v1/metrics" | jq -r ".$2[\"$3\"].${4:-records} // empty"
}
# Swak's events out of out.Null from the agent's /metrics on PORT
bench_swak_null_out() {
  curl -s "http://127.0.0.1:$1/metrics" | awk '/^swak_events_out_total/ && /out.Null/ {n += $NF} END {if (NR) printf "%d", n}'
}
# until a TCP port on 127.0.0.1 accepts a connection (at most 30 s)
bench_listening() {
  _i=0
  until bash -c "echo > /dev/tcp/127.0.0.1/$1" 2>/dev/null; do
    _i=$((_i + 1)); [ $_i -gt 300 ] && { echo "nothing listens on 127.0.0.1:$1" >&2; return 1; }
    sleep 0.1
  done
}

bench_record() { # WHO RUN COUNT SECONDS CPU_S RSS_KIB [UNIT] [EXTRA]
  awk -v who="$1" -v run="$2" -v n="$3" -v w="$4" -v c="$5" -v r="$6" -v u="${7:-lines}" -v x="${8:-}" \
      -v dat="$WORK/$1.dat" 'BEGIN {
    rate = n / w; cpm = c / (n / 1e6); mib = r / 1024
    printf "%s run %s: %.0f %s/s  %.2f CPU-s per million %s  peak RSS %.0f MiB  (wall %.2f s, CPU %.2f s)%s%s\n",
      who, run, rate, u, cpm, u, mib, w, c, (x == "" ? "" : "  "), x
    printf "%.0f %.4f %.1f\n", rate, cpm, mib >> dat }'
}
# median of column COL (1 rate, 2 CPU-s per million, 3 RSS MiB) of WHO's runs
bench_median() {
  awk -v f="$2" '{print $f}' "$WORK/$1.dat" | sort -g | awk '{a[NR] = $1} END {if (NR) print a[int((NR + 1) / 2)]}'
}
bench_summary() { # UNIT WHO PEER...
  _u=$1; _who=$2; shift
  for _a in "$@"; do
    [ -s "$WORK/$_a.dat" ] || continue
    echo "$_a, median of $(wc -l < "$WORK/$_a.dat"): $(bench_median "$_a" 1) $_u/s," \
      "$(bench_median "$_a" 2 | awk '{printf "%.2f", $1}') CPU-s per million $_u, peak RSS $(bench_median "$_a" 3 | awk '{printf "%.0f", $1}') MiB"
  done
  shift
  for _p in "$@"; do
    [ -s "$WORK/$_p.dat" ] && [ -s "$WORK/$_who.dat" ] || continue
    echo "$_who / $_p: $(bench_ratio "$_who" "$_p" 1) $_u/s, $(bench_ratio "$_who" "$_p" 2) CPU-s per million," \
      "$(bench_ratio "$_who" "$_p" 3) peak RSS"
  done
  echo "load: $(bench_load)"
}
bench_ratio() { echo "$(bench_median "$1" "$3") $(bench_median "$2" "$3")" | awk '{ if ($2 > 0) printf "%.2fx", $1 / $2; else print "-" }'; }

# One run of a server scenario: PID (the agent, already listening) takes COUNT UNIT from SENDER (a command
# line, run once, that prints "... in SECONDS s ..."). The rate is the sender's own: from its first byte to its
# last answer or write, without its JVM start (with no acks the agent can lag it only by the loopback socket
# buffers, a few MiB). CPU from /proc from before the sender starts until the agent's CPU stops rising (polled
# every 0.5 s after the sender ends); peak RSS = VmHWM. With COUNTER (a command printing the agent's count),
# the run also waits until it reaches COUNT: nothing lost. Prints and records the run like bench_record.
bench_server_run() { # WHO RUN COUNT UNIT PID SENDER [COUNTER]
  _c0=$(bench_ticks "$5")
  sh -c "$6" > "$WORK/$1-$2.sender" 2>&1 || { echo "$1: the sender failed:"; tail -5 "$WORK/$1-$2.sender"; return 1; }
  _secs=$(sed -n 's/.* in \([0-9.]*\) s.*/\1/p' "$WORK/$1-$2.sender" | head -1)
  if [ -n "${7:-}" ]; then bench_wait_count "$3" "$7" 120 || return 1; fi
  _prev=-1; _c1=$(bench_ticks "$5")
  while [ "$_c1" != "$_prev" ]; do _prev=$_c1; sleep 0.5; _c1=$(bench_ticks "$5"); done
  bench_record "$1" "$2" "$3" "$_secs" "$(echo "$_c0 $_c1 $(bench_hz)" | awk '{printf "%.2f", ($2 - $1) / $3}')" \
    "$(bench_hwm "$5")" "$4"
}
# ends PID (a process this script started) and waits for it
bench_stop() { [ -n "${1:-}" ] || return 0; kill -TERM "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
# One run of a server scenario with its own agent: starts CMD (the agent; its output in $WORK/WHO.log), waits
# until it listens on $PORT, runs BENCH_WARMUP (a command line, if set: a warm-up not counted), then
# bench_server_run, and stops the agent. BENCH_PID is the agent while it runs (for a script's EXIT trap).
bench_serve() { # WHO RUN COUNT UNIT SENDER COUNTER CMD...   (COUNTER "" : none)
  _sw=$1; _sr=$2; _sn=$3; _su=$4; _ss=$5; _sk=$6; shift 6
  "$@" > "$WORK/$_sw.log" 2>&1 & BENCH_PID=$!
  bench_listening "$PORT" || return 1
  if [ -n "${BENCH_WARMUP:-}" ]; then sh -c "$BENCH_WARMUP" > /dev/null 2>&1; fi
  bench_server_run "$_sw" "$_sr" "$_sn" "$_su" "$BENCH_PID" "$_ss" "$_sk"
  bench_stop "$BENCH_PID"; BENCH_PID=
  if [ "$_sw" = swak ]; then grep -iE " (error|warn)" "$WORK/$_sw.log" | head -5 || true; fi
}
# until RECEIVER (a process waiting for a run's events) ends; if AGENT ends first (or never started), the
# receiver is stopped a second later and the agent's LOG shown, so a failed run ends instead of hanging
bench_alive() { [ -r "/proc/$1/stat" ] && awk '{exit ($3 == "Z")}' "/proc/$1/stat" 2>/dev/null; } # not a zombie either
bench_wait_receiver() { # RECEIVER AGENT LOG
  while bench_alive "$1"; do
    if ! bench_alive "$2"; then
      sleep 1; kill "$1" 2>/dev/null || true
      echo "the agent ended before the receiver had every event:"; tail -5 "$3"
    fi
    sleep 0.05
  done
  wait "$1" || true
}

# POS SIZE PID ERR: waits until the runtime's position journal in POS says SIZE bytes of the one file were
# acknowledged; exits with the agent's last lines (ERR) if its process PID ends first
bench_wait_checkpoint() {
  while :; do
    OFF=$(grep -ao 'offset=[0-9]*' "$1/positions.log" 2>/dev/null | tail -1 | sed 's/offset=//' || true)
    [ "${OFF:-0}" = "$2" ] && return 0
    kill -0 "$3" 2>/dev/null || { echo "agent ended early:"; tail -20 "$4"; exit 1; }
    sleep 0.02
  done
}
# PID: ends the java child of the /usr/bin/time process PID (the agent) and waits for it
bench_end_agent() {
  JPID=$(pgrep -P "$1" java || true)
  [ -n "$JPID" ] && kill -TERM "$JPID"
  wait "$1" || true
}
# LOG N: N application log lines of 105 bytes (a time, a level, a worker, an id, a path, a status, a duration);
# sets SIZE to the file's size and says so
bench_app_log() {
  awk -v n="$2" 'BEGIN { for (i = 0; i < n; i++) printf "2026-11-21T12:00:00.000Z INFO  [worker-%02d] request id=%09d path=/api/v1/items status=200 took=%03dms\n", i % 16, i, i % 997 }' > "$1"
  SIZE=$(stat -c %s "$1")
  echo "input: $2 lines, $SIZE bytes ($(( SIZE / $2 )) bytes per line)"
}
