#!/bin/sh
# in.FileTail -> out.Kafka (acks=all, idempotence, as configured by default) into one local Kafka 4.4 broker, on
# LINES lines of ~110 bytes: lines/s, Swak CPU seconds per million lines, Swak peak RSS, and the broker's CPU
# seconds over the same run (the broker shares the cores). Median of RUNS runs.
# Usage: bench/filetail-kafka.sh [LINES] [RUNS]   (build first: mvn -q -o -DskipTests package)
# The broker is a separate JVM (kafka.Kafka, KRaft, broker+controller, 127.0.0.1 only) started from the
# kafka_2.13 test dependency of plugins/kafka (its classpath from maven-dependency-plugin, offline), with
# topics auto-created with PARTITIONS partitions (default 3). A run ends when the input's checkpoint reaches
# the end of the file: every line was then acknowledged by out.Kafka, i.e. confirmed by the broker (acks=all).
# The script then checks each run's topic holds every line (the partitions' high watermarks in the broker's
# replication-offset-checkpoint; more than LINES only if a batch was sent again).
# PEER=fluent-bit FLUENT_BIT=/path/to/fluent-bit: after each Swak run, Fluent Bit's tail (read_from_head,
# exit_on_eof) -> kafka (librdkafka; acks=all and idempotence set through rdkafka.*, format raw) on the same file
# into a topic of its own; its wall time runs to its exit (its kafka output flushes at the exit), and its
# topic's messages are counted the same way: Fluent Bit's kafka output counts a message done on enqueue.
# Env: COMPRESSION (none), LINGER (5ms), BATCH_BYTES (512KiB), WINDOW (out.Kafka's, default 4), PARTITIONS (3),
# BROKER_HEAP (1g).
set -eu
LINES=${1:-2000000}
RUNS=${2:-3}
HERE=$(cd "$(dirname "$0")/.." && pwd)
. "$HERE/bench/lib.sh"
# FLUENT_BIT_KAFKA: a Fluent Bit built with -DFLB_KAFKA=On (the default build has no kafka output); else FLUENT_BIT
FB_KAFKA=${FLUENT_BIT_KAFKA:-${FLUENT_BIT:-}}
if [ "${PEER:-}" = fluent-bit ] && ! "$FB_KAFKA" -h 2>&1 | grep -q '^  kafka '; then
  echo "$FB_KAFKA has no kafka output: build Fluent Bit with -DFLB_KAFKA=On and set FLUENT_BIT_KAFKA=/path/to/it" >&2
  exit 2
fi
WORK=${BENCH_DIR:-/tmp/swak-bench-kafka}
rm -rf "$WORK"; mkdir -p "$WORK"
LOG=$WORK/input.log
bench_app_log "$LOG" "$LINES" # sets SIZE

# ---- the broker ---------------------------------------------------------------------------------------
CP_FILE=$WORK/broker.cp
(cd "$HERE" && mvn -B -ntp -o -q org.apache.maven.plugins:maven-dependency-plugin:3.9.0:build-classpath \
  -pl plugins/kafka -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=test) > "$WORK/cp.log" 2>&1
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port); CPORT=$(free_port)
cat > "$WORK/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CPORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CPORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$WORK/kafka-data
num.partitions=${PARTITIONS:-3}
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
auto.create.topics.enable=true
group.initial.rebalance.delay.ms=0
PROPS
java -cp "$(cat "$CP_FILE")" kafka.tools.StorageTool format --config "$WORK/server.properties" \
  --cluster-id "$(java -cp "$(cat "$CP_FILE")" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)" \
  --ignore-formatted > "$WORK/format.log" 2>&1
java -Xms${BROKER_HEAP:-1g} -Xmx${BROKER_HEAP:-1g} -cp "$(cat "$CP_FILE")" kafka.Kafka "$WORK/server.properties" \
  > "$WORK/broker.log" 2>&1 &
BROKER=$!
trap 'kill -TERM $BROKER 2>/dev/null || true; wait $BROKER 2>/dev/null || true' EXIT
i=0
until grep -q "Kafka Server started" "$WORK/broker.log" 2>/dev/null; do
  i=$((i + 1)); [ $i -gt 1200 ] && { echo "broker did not start:"; tail -20 "$WORK/broker.log"; exit 1; }
  kill -0 $BROKER 2>/dev/null || { echo "broker died:"; tail -20 "$WORK/broker.log"; exit 1; }
  sleep 0.1
done
echo "broker 127.0.0.1:$PORT (pid $BROKER)"
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)

for run in $(seq 1 "$RUNS"); do
  POS=$WORK/pos-$run
  TOPIC=bench-$run
  cat > "$WORK/kafka.yml" <<YML
- task:
  - in.FileTail:
      path: $LOG
      pos_dir: $POS
      read_from_head: true
  - out.Kafka:
      brokers: ["127.0.0.1:$PORT"]
      topic: $TOPIC
      format: raw
      compression: ${COMPRESSION:-none}
      linger: ${LINGER:-5ms}
      batch_bytes: ${BATCH_BYTES:-512KiB}
$([ -n "${WINDOW:-}" ] && echo "      window: $WINDOW")
YML
  B0=$(ticks $BROKER)
  START=$(date +%s.%N)
  SWAK_DATA_DIR=$WORK/data /usr/bin/time -v -o "$WORK/time-$run.txt" "$HERE/bin/swak" run "$WORK/kafka.yml" 2> "$WORK/agent-$run.err" &
  TIMEPID=$!
  bench_wait_checkpoint "$POS" "$SIZE" "$TIMEPID" "$WORK/agent-$run.err"
  END=$(date +%s.%N)
  B1=$(ticks $BROKER)
  bench_end_agent "$TIMEPID"
  bench_record swak "$run" "$LINES" "$(bench_elapsed "$START" "$END")" "$(bench_time_cpu "$WORK/time-$run.txt")" \
    "$(bench_time_rss "$WORK/time-$run.txt")" lines "broker $(echo "$(( B1 - B0 )) $HZ $LINES" | awk '{printf "%.2f", $1 / $2 / ($3 / 1e6)}') CPU-s per million"
  if [ "${PEER:-}" = fluent-bit ]; then
    rm -f "$WORK/fb-tail.db"*
    F0=$(ticks $BROKER)
    FSTART=$(date +%s.%N)
    /usr/bin/time -v -o "$WORK/fb-time-$run.txt" "$FB_KAFKA" -f 1 -i tail -p path="$LOG" -p read_from_head=on \
      -p exit_on_eof=on -p db="$WORK/fb-tail.db" -o kafka -p brokers="127.0.0.1:$PORT" -p topics="fb-$run" \
      -p format=raw -p raw_log_key=log -p rdkafka.request.required.acks=-1 -p rdkafka.enable.idempotence=true \
      -p rdkafka.compression.codec="${COMPRESSION:-none}" -p rdkafka.linger.ms=5 -m '*' > "$WORK/fb-$run.log" 2>&1 || true
    FEND=$(date +%s.%N)
    F1=$(ticks $BROKER)
    bench_record fluent-bit "$run" "$LINES" "$(bench_elapsed "$FSTART" "$FEND")" "$(bench_time_cpu "$WORK/fb-time-$run.txt")" \
      "$(bench_time_rss "$WORK/fb-time-$run.txt")" lines "broker $(echo "$(( F1 - F0 )) $HZ $LINES" | awk '{printf "%.2f", $1 / $2 / ($3 / 1e6)}') CPU-s per million"
  fi
done
# every line must be in its run's topic: the partitions' high watermarks, from the broker's checkpoint file
# (written every 5 s)
sleep 6
for run in $(seq 1 "$RUNS"); do
  for t in bench-$run fb-$run; do
    [ "$t" = "fb-$run" ] && [ "${PEER:-}" != fluent-bit ] && continue
    awk -v t="$t" -v want="$LINES" '$1 == t { n += $3 } END { printf "%d messages in topic %s (%s)\n", n, t, (n >= want ? "all lines" : "LINES MISSING") }' \
      "$WORK/kafka-data/replication-offset-checkpoint"
  done
done
bench_summary lines swak fluent-bit
