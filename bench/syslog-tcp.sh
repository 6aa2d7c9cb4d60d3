#!/bin/bash
# Syslog over TCP: in.Syslog -> out.Null next to rsyslogd's own imtcp -> omfile, alternating, same sender
# (bench/SyslogSender.java: MESSAGES octet-counted RFC 5424 messages of ~130 bytes over CONNS connections).
# A run's time is from the sender's start until the receiver has all of them (Swak: out.Null's events_out in
# /metrics; rsyslog: the lines of its file). Prints each run and the medians.
# Usage: bench/syslog-tcp.sh [MESSAGES] [ROUNDS] [CONNS]      (build first: mvn -q -DskipTests package)
set -eu
cd "$(dirname "$0")/.."
MESSAGES=${1:-5000000}
ROUNDS=${2:-3}
CONNS=${3:-1}
PORT=${PORT:-5514}
HTTP=${HTTP:-24239}
RSYSLOGD=${RSYSLOGD:-/usr/sbin/rsyslogd}
TMP=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; rm -rf "$TMP"' EXIT
cat > "$TMP/syslog-null.yml" <<YML
- agent: {http: {port: $HTTP}}
- task:
  - in.Syslog: {protocol: tcp, port: $PORT}
  - out.Null
YML
cat > "$TMP/rsyslog.conf" <<CONF
global(workDirectory="$TMP")
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="$PORT" ruleset="file")
ruleset(name="file") { action(type="omfile" file="$TMP/rsyslog.out" asyncWriting="on" ioBufferSize="256k") }
CONF
now() { date +%s.%N; }
listening() { i=0; until (echo > /dev/tcp/127.0.0.1/$PORT) 2>/dev/null; do i=$((i+1)); [ $i -gt 300 ] && exit 1; sleep 0.1; done; }
swak_out() { curl -s "http://127.0.0.1:$HTTP/metrics" | awk '/^swak_events_out_total/ && /out.Null/ {print $NF}' | cut -d. -f1; }
run_swak() {
  bin/swak run --data-dir "$TMP/data" "$TMP/syslog-null.yml" > "$TMP/swak.out" 2> "$TMP/swak.log" & PID=$!
  listening
  t0=$(now)
  java bench/SyslogSender.java 127.0.0.1 "$PORT" "$MESSAGES" "$CONNS" > /dev/null
  n=0; until [ "$(swak_out)" = "$MESSAGES" ]; do n=$((n+1)); [ $n -gt 6000 ] && { echo "swak got $(swak_out)" >&2; exit 1; }; sleep 0.05; done
  t1=$(now)
  kill $PID; wait $PID 2>/dev/null || true; PID=
  echo "$t0 $t1 $MESSAGES" | awk '{printf "%.0f\n", $3/($2-$1)}'
}
run_rsyslog() {
  rm -f "$TMP/rsyslog.out"
  "$RSYSLOGD" -n -f "$TMP/rsyslog.conf" -i "$TMP/rsyslogd.pid" > "$TMP/rsyslogd.log" 2>&1 & PID=$!
  listening
  t0=$(now)
  java bench/SyslogSender.java 127.0.0.1 "$PORT" "$MESSAGES" "$CONNS" > /dev/null
  n=0; until [ "$(wc -l < "$TMP/rsyslog.out" 2>/dev/null || echo 0)" -ge "$MESSAGES" ]; do n=$((n+1)); [ $n -gt 6000 ] && exit 1; sleep 0.05; done
  t1=$(now)
  kill $PID; wait $PID 2>/dev/null || true; PID=
  echo "$t0 $t1 $MESSAGES" | awk '{printf "%.0f\n", $3/($2-$1)}'
}
: > "$TMP/swak.rates"; : > "$TMP/rsyslog.rates"
echo "load before: $(uptime)"
for r in $(seq "$ROUNDS"); do
  s=$(run_swak); echo "round $r in.Syslog -> out.Null: $s messages/s"; echo "$s" >> "$TMP/swak.rates"
  x=$(run_rsyslog); echo "round $r rsyslog imtcp -> omfile: $x messages/s"; echo "$x" >> "$TMP/rsyslog.rates"
done
median() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "median in.Syslog -> out.Null: $(median "$TMP/swak.rates") messages/s"
echo "median rsyslog imtcp -> omfile: $(median "$TMP/rsyslog.rates") messages/s"
echo "load after: $(uptime)"
