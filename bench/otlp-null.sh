#!/bin/sh
# in.OpenTelemetry (OTLP/HTTP protobuf) → out.Null throughput: bench/OtlpSender.java posts RECORDS log
# records in requests of BATCH over CONNS connections, each waiting for its answer (success = the task
# acknowledged it); RUNS runs against one agent; prints each run's rate, the median, Swak's CPU seconds
# per million records and its peak RSS.
# Usage: bench/otlp-null.sh [RECORDS] [BATCH] [CONNS] [RUNS] [gzip]      (build first: mvn -q -DskipTests package)
# Fluent Bit as a peer: its in_opentelemetry is not in the build at /tmp/fluent-bit-build (fluent-bit -h lists
# only tail, dummy, http, syslog, tcp, forward inputs), so there is no side-by-side run here.
set -eu
cd "$(dirname "$0")/.."
RECORDS=${1:-2000000}
BATCH=${2:-1000}
CONNS=${3:-4}
RUNS=${4:-3}
GZIP=${5:-}
PORT=${PORT:-24318}
LIB=swak-dist/target/lib
TMP=$(mktemp -d)
cat > "$TMP/otlp-null.yml" <<YML
- task:
  - in.OpenTelemetry: {port: $PORT, grpc_port: -1, threads: ${THREADS:-2}}
  - out.Null
YML
bin/swak run --data-dir "$TMP/data" "$TMP/otlp-null.yml" 2> "$TMP/swak.log" &
SWAK=$!
trap 'kill $SWAK 2>/dev/null; rm -rf "$TMP"' EXIT
i=0
until grep -q "listening on" "$TMP/swak.log" 2>/dev/null; do
  i=$((i+1)); [ $i -gt 300 ] && { cat "$TMP/swak.log"; exit 1; }
  sleep 0.1
done
cpu() { awk '{print $14+$15}' /proc/$SWAK/stat; }
TCK=$(getconf CLK_TCK)
# a warm-up run, not counted: the JIT compiles the decoder
java -cp "$LIB/*" bench/OtlpSender.java 127.0.0.1 "$PORT" 200000 "$BATCH" "$CONNS" $GZIP > /dev/null
C0=$(cpu)
n=0
while [ $n -lt "$RUNS" ]; do
  java -cp "$LIB/*" bench/OtlpSender.java 127.0.0.1 "$PORT" "$RECORDS" "$BATCH" "$CONNS" $GZIP | tee -a "$TMP/rates"
  n=$((n+1))
done
C1=$(cpu)
echo "median: $(sed 's/.*s: \([0-9]*\) records\/s.*/\1/' "$TMP/rates" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}') records/s"
echo "swak: $(echo "$C0 $C1 $TCK $RECORDS $RUNS" | awk '{printf "%.2f CPU-s per million records", ($2-$1)/$3/($4*$5/1e6)}'), peak RSS $(awk '/VmHWM/ {printf "%.0f MiB", $2/1024}' /proc/$SWAK/status)"
echo "load: $(uptime)"
grep -i "error\|warn" "$TMP/swak.log" || true
