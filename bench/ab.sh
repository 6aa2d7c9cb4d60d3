#!/usr/bin/env bash
# Before/after: runs one bench/run.sh scenario alternately on this tree's build (A) and on another tree's
# build (B, e.g. a `git worktree` of an older commit built with `mvn -q -Pbench -DskipTests package`),
# PAIRS times, and prints the medians and the ratios A/B of lines/s, CPU-s per million and peak RSS.
# Alternating pairs keep a noisy shared machine fair to both. Each tree runs its own bench scripts (they
# know its files, e.g. where its checkpoints are); AB_SCRIPTS=a runs this tree's scripts on B's build.
# Usage: bench/ab.sh OTHER_TREE PAIRS SCENARIO [ARGS...]    e.g. bench/ab.sh ../base 7 file-null 2000000 1
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
other=$(cd "$1" && pwd)
pairs=$2
shift 2
work=${AB_DIR:-/tmp/swak-ab}
rm -rf "$work"
mkdir -p "$work/b"
# AB_SCRIPTS=a: B runs this tree's scripts against its own launcher and jars, a tree of links with a copy of bench/
b_root=$other
if [ "${AB_SCRIPTS:-b}" = a ]; then
  b_root=$work/b
  for f in "$other"/*; do # its launcher, jars and poms (filetail-kafka.sh asks Maven for the broker's class path)
    [ "${f##*/}" = bench ] || ln -s "$f" "$work/b/${f##*/}"
  done
  cp -r "$here" "$work/b/bench"
  rm -rf "$work/b/bench/target"
fi
# one figure per run: the numbers before "lines/s" (or "events/s", "records/s"), "CPU-s per million" and the MiB
# after "peak RSS", each from the first line that has it (otlp-null prints its rate and its CPU on two lines)
figures() {
  awk '/run [0-9]+:|^swak:|^sender:/ && !/fluent-bit/ {
    for (i = 2; i <= NF; i++) {
      if (rate == "" && $i ~ /^(lines|events|records|documents)\/s/) rate = $(i - 1)
      if (cpu == "" && $i == "CPU-s" && $(i + 1) == "per") cpu = $(i - 1)
      if (rss == "" && $i == "RSS") rss = $(i + 1)
    }
  }
  END { print (rate == "" ? "-" : rate), (cpu == "" ? "-" : cpu), (rss == "" ? "-" : rss) }'
}
for i in $(seq 1 "$pairs"); do
  for side in a b; do
    dir=$root; [ $side = b ] && dir=$b_root
    RUNS=1 "$dir/bench/run.sh" "$@" > "$work/$side-$i.log" 2>&1 || { echo "$side run $i failed:"; tail -5 "$work/$side-$i.log"; exit 1; }
    figures < "$work/$side-$i.log" >> "$work/$side.txt"
    echo "$side $i: $(tail -1 "$work/$side.txt")   (events/s, CPU-s per million, peak RSS MiB)"
  done
done
med() { awk -v c="$1" '$c != "-" { print $c }' "$2" | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
for c in 1 2 3; do
  name=$(echo "rate CPU-s/M RSS" | cut -d' ' -f$c)
  a=$(med $c "$work/a.txt"); b=$(med $c "$work/b.txt")
  echo "$name: A $a  B $b  A/B $(awk -v a="$a" -v b="$b" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.3f", a / b }')"
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
