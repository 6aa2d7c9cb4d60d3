#!/bin/sh
# Start-up time and memory of the unpacked tarball with each Java runtime it can run on, measured side by side
# in alternating rounds (medians of RUNS, default 7):
#   jdk17-cds   the system JDK 17 (JAVA_HOME) with today's class-data sharing archive (bin/swak cds, lib/swak.jsa)
#   bundled     the jlinked runtime/ of the tarball, its own JDK archive only (how the tarball starts unpacked)
#   bundled-cds the jlinked runtime/ with bin/swak cds made by it (what the .deb's postinst makes)
#   jdk25-aot   JDK 25 with an AOT cache (JEP 483/515) trained on one run of the same config
# start = wall time of `swak validate` (JVM start, class loading, plugins found, config read), and time until
# `swak run` logs "started"; rss = VmRSS of the agent 3 s after it started.
# Usage: bench/startup-runtime.sh [RUNS]   (after mvn -q -o -DskipTests package; JDK25 from $JDK25)
set -eu
RUNS=${1:-7}
HERE=$(cd "$(dirname "$0")/.." && pwd)
JDK17=${JDK17:-/usr/lib/jvm/java-17-openjdk-amd64}
JDK25=${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}
WORK=${BENCH_DIR:-/tmp/swak-bench-startup}
TGZ=$(ls "$HERE"/swak-dist/target/swak-*.tar.gz | head -1)
rm -rf "$WORK"; mkdir -p "$WORK"
for v in jdk17-cds bundled bundled-cds jdk25-aot; do
  mkdir -p "$WORK/$v"; tar xzf "$TGZ" -C "$WORK/$v"; mv "$WORK/$v"/swak-* "$WORK/$v/swak"
done
cat > "$WORK/run.yml" <<YML
- task:
  - in.FakeData: {type: people}
  - out.Null
  - sleep: {seconds: 1}
YML
JAVA_HOME=$JDK17 "$WORK/jdk17-cds/swak/bin/swak" cds >/dev/null 2>&1
env -u JAVA_HOME "$WORK/bundled-cds/swak/bin/swak" cds >/dev/null 2>&1
# JDK 25: one training run writes the AOT cache (JEP 514's one-step -XX:AOTCacheOutput)
AOT=$WORK/jdk25-aot/swak/lib/swak.aot
# bin/swak execs java: $! is the agent's pid
JAVA_HOME=$JDK25 SWAK_JAVA_OPTS="-XX:AOTCacheOutput=$AOT" SWAK_DATA_DIR=$WORK/data-train \
  "$WORK/jdk25-aot/swak/bin/swak" run "$WORK/run.yml" 2>"$WORK/train.err" >/dev/null &
TP=$!
sleep 10; kill -TERM $TP; wait $TP || true
[ -f "$AOT" ] || { echo "no AOT cache written: see $WORK/train.err" >&2; exit 1; }

variant_env() { # $1 variant: prints the env assignments
  case $1 in
    jdk17-cds) echo "JAVA_HOME=$JDK17" ;;
    bundled|bundled-cds) echo "JAVA_HOME=" ;;
    jdk25-aot) echo "JAVA_HOME=$JDK25 SWAK_JAVA_OPTS=-XX:AOTCache=$AOT" ;;
  esac
}
now() { date +%s%N; }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
for v in jdk17-cds bundled bundled-cds jdk25-aot; do : > "$WORK/$v.validate"; : > "$WORK/$v.started"; : > "$WORK/$v.rss"; done
r=0
while [ $r -lt "$RUNS" ]; do
  for v in jdk17-cds bundled bundled-cds jdk25-aot; do
    E=$(variant_env $v)
    t0=$(now); env $E "$WORK/$v/swak/bin/swak" validate "$WORK/run.yml" >/dev/null 2>&1; t1=$(now)
    echo $(( (t1 - t0) / 1000000 )) >> "$WORK/$v.validate"
    rm -rf "$WORK/data-$v"
    t0=$(now)
    env $E SWAK_DATA_DIR="$WORK/data-$v" "$WORK/$v/swak/bin/swak" run "$WORK/run.yml" 2> "$WORK/$v.err" > /dev/null &
    P=$!
    while ! grep -q "started" "$WORK/$v.err" 2>/dev/null; do sleep 0.01; done
    t1=$(now); echo $(( (t1 - t0) / 1000000 )) >> "$WORK/$v.started"
    sleep 3
    awk '/VmRSS/ { print $2 }' "/proc/$P/status" >> "$WORK/$v.rss"
    kill -TERM $P; wait $P || true
  done
  r=$((r + 1))
done
echo "uptime: $(uptime)"
printf '%-12s %12s %12s %10s\n' variant validate_ms started_ms rss_MiB
for v in jdk17-cds bundled bundled-cds jdk25-aot; do
  printf '%-12s %12s %12s %10s\n' $v "$(median < "$WORK/$v.validate")" "$(median < "$WORK/$v.started")" \
    "$(( $(median < "$WORK/$v.rss") / 1024 ))"
done
