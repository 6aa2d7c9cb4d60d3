#!/bin/bash
# Syslog over TCP: in.Syslog -> out.Null next to rsyslogd's own imtcp -> omfile, alternating, same sender
# (bench/SyslogSender.java: MESSAGES octet-counted RFC 5424 messages of ~130 bytes over CONNS connections).
# Each run: the sender's rate (its first byte to its last write), the receiver's CPU seconds per million
# messages (utime+stime from /proc, until it settles) and peak RSS (VmHWM); a run waits until the receiver has
# all of them (Swak: out.Null's events_out in /metrics; rsyslog: the lines of its file) (bench_server_run in
# bench/lib.sh). PEER=fluent-bit FLUENT_BIT=…: Fluent Bit's syslog input (mode tcp, octet_counting framing,
# an RFC 5424 parser) -> null as a second peer after rsyslogd, measured the same way. Prints each run, the
# medians and the ratios Swak / rsyslog and Swak / Fluent Bit.
# Usage: [PEER=fluent-bit FLUENT_BIT=…] bench/syslog-tcp.sh [MESSAGES] [ROUNDS] [CONNS]   (build first: mvn -q -DskipTests package)
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
MESSAGES=${1:-5000000}
ROUNDS=${2:-3}
CONNS=${3:-1}
PORT=${PORT:-5514}
HTTP=${HTTP:-24239}
RSYSLOGD=${RSYSLOGD:-/usr/sbin/rsyslogd}
WORK=$(mktemp -d)
CLASSES=bench/target/classes
if [ ! -f "$CLASSES/SyslogSender.class" ] || [ bench/SyslogSender.java -nt "$CLASSES/SyslogSender.class" ]; then
  mkdir -p "$CLASSES"; javac -d "$CLASSES" bench/SyslogSender.java
fi
# the sender writes whole thousands
TOTAL=$((MESSAGES / 1000 * 1000))
SENDER="java -XX:+UseSerialGC -cp $CLASSES SyslogSender 127.0.0.1 $PORT $MESSAGES $CONNS"
BENCH_PID=
trap 'bench_stop "$BENCH_PID"; rm -rf "$WORK"' EXIT
cat > "$WORK/syslog-null.yml" <<YML
- agent: {http: {port: $HTTP}}
- task:
  - in.Syslog: {protocol: tcp, port: $PORT}
  - out.Null
YML
cat > "$WORK/rsyslog.conf" <<CONF
global(workDirectory="$WORK")
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="$PORT" ruleset="file")
ruleset(name="file") { action(type="omfile" file="$WORK/rsyslog.out" asyncWriting="on" ioBufferSize="256k") }
CONF
# RFC 5424: <PRI>1 TIMESTAMP HOST APP PROCID MSGID STRUCTURED-DATA MSG
cat > "$WORK/fb-parsers.conf" <<'CONF'
[PARSER]
    Name        syslog-rfc5424
    Format      regex
    Regex       ^<(?<pri>[0-9]{1,3})>1 (?<time>[^ ]+) (?<host>[^ ]+) (?<ident>[^ ]+) (?<pid>[^ ]+) (?<msgid>[^ ]+) (?<extradata>-|\[.*?\](?:\[.*?\])*) ?(?<message>.*)$
    Time_Key    time
    Time_Format %Y-%m-%dT%H:%M:%S.%L%z
    Time_Keep   On
CONF
for r in $(seq "$ROUNDS"); do
  bench_serve swak "$r" "$TOTAL" messages "$SENDER" "bench_swak_null_out $HTTP" \
    bin/swak run --data-dir "$WORK/data" "$WORK/syslog-null.yml"
  rm -f "$WORK/rsyslog.out"
  bench_serve rsyslog "$r" "$TOTAL" messages "$SENDER" "wc -l < '$WORK/rsyslog.out'" \
    "$RSYSLOGD" -n -f "$WORK/rsyslog.conf" -i "$WORK/rsyslogd.pid"
  if [ "${PEER:-}" = fluent-bit ]; then
    bench_serve fluent-bit "$r" "$TOTAL" messages "$SENDER" "" "$FLUENT_BIT" -R "$WORK/fb-parsers.conf" -i syslog \
      -p mode=tcp -p listen=127.0.0.1 -p port="$PORT" -p format=octet_counting -p parser=syslog-rfc5424 -o null -m '*'
  fi
done
bench_summary messages swak rsyslog fluent-bit
