#!/usr/bin/env bash
# Swak benchmarks. Build once:  mvn -q -Pbench -DskipTests package
# Then:  bench/run.sh SCENARIO [args]
#   jmh [REGEX]        JMH micro-benchmarks of the hot paths (ns per line)
#   fakedata-null [N]  in.FakeData -> out.Null in one agent process: events/s, CPU-s per million
# Other scenarios (file-null, file-forward, file-file, forward-forward) are listed by `bench/run.sh help`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
cp_file=$here/jmh/target/classpath.txt
need_build() {
  if [ ! -f "$cp_file" ]; then
    echo "build first: (cd $root && mvn -q -Pbench -DskipTests package)" >&2
    exit 1
  fi
}
classpath() { echo "$here/jmh/target/classes:$(cat "$cp_file")"; }

scenario=${1:-help}
shift || true
case $scenario in
  jmh)
    need_build
    exec java -cp "$(classpath)" org.openjdk.jmh.Main "${1:-.*}" -rf text -rff "$here/jmh/target/jmh-result.txt"
    ;;
  fakedata-null)
    need_build
    exec java -Xmx256m -XX:+UseSerialGC -cp "$(classpath)" io.swak.bench.InProcess fakedata-null "${1:-2000000}"
    ;;
  *)
    sed -n '2,8p' "$0"
    [ -d "$here/scenarios" ] && ls "$here/scenarios"
    exit 2
    ;;
esac
