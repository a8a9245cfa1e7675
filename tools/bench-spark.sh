#!/usr/bin/env bash
# The npid-spark benchmark: images/s of `embed` on one folder, three ways, each in its own JVM
# (PyTorch sizes its thread pool once per process):
#   npid embed                 the single-JVM command, all cores
#   npid-spark embed local[1]  one task at a time, all cores for its network
#   npid-spark embed local[2]  two tasks at once, one core each
# then the exact all-pairs neighbours of the embedded set (npid-spark neighbours, local[2]).
# Each is run REPEATS times (default 3), interleaved; the median and the range are printed, with
# the stage log of the last local[2] embed and the last neighbours run.
# Usage: tools/bench-spark.sh IMAGE_ROOT CHECKPOINT [K] [REPEATS]
#   IMAGE_ROOT holds train/<class>/*.png (Fashion-MNIST as PNG: tools/fashion_mnist_png.py)
set -euo pipefail
root="$1"; ckpt="$2"; k="${3:-20}"; repeats="${4:-3}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
cpu() { awk -F: '/vendor_id|cpu family|^model\t|model name/ {gsub(/^[ \t]+/, "", $2); printf "%s; ", $2}' /proc/cpuinfo | head -c 200; }
echo "machine: $(cpu | awk -F'; ' '{print $1", family "$2", model "$3" ("$4")"}'), $(nproc) cores, $(date -u '+%F %H:%M') UTC"
n=$(find "$root/train" -type f \( -name '*.png' -o -name '*.jpg' -o -name '*.jpeg' \) | wc -l)
echo "images: $n under $root/train; $repeats runs each"
secs() { local t0 t1; t0=$(date +%s.%N); "$@" > "$out/log" 2>&1 || { cat "$out/log"; exit 1; }; t1=$(date +%s.%N); awk "BEGIN {print $t1 - $t0}"; }
# The wall time of a command, and the seconds its own summary line reports (job time).
: > "$out/times"
for r in $(seq "$repeats"); do
  s=$(secs "$here/bin/npid" embed --checkpoint "$ckpt" --data "$root" --split train --out "$out/npid.npy")
  echo "npid $s $(grep -o 'in [0-9.]* s' "$out/log" | head -1 | tr -dc '0-9.')" >> "$out/times"
  for m in 1 2; do
    s=$(secs "$here/bin/npid-spark" --master "local[$m]" embed --data "$root/train" --checkpoint "$ckpt" --out "$out/spark.parquet" --npy never --overwrite)
    echo "local$m $s $(grep -o 'in [0-9.]* s, [0-9]* images/s' "$out/log" | tail -1 | awk '{print $2}')" >> "$out/times"
    [ "$m" = 2 ] && cp "$out/log" "$out/embed2.log"
  done
  s=$(secs "$here/bin/npid-spark" --master 'local[2]' neighbours --data "$out/spark.parquet" --k "$k" --out "$out/nb.parquet" --table never --overwrite)
  echo "neighbours $s $(grep -o 'images in [0-9.]* s' "$out/log" | tail -1 | tr -dc '0-9.')" >> "$out/times"
done
summary() { # name label: median and range of wall and job seconds, images/s from the medians
  awk -v name="$1" -v label="$2" -v n="$n" '$1 == name {w[++c] = $2; j[c] = $3}
    function med(a, c,   i, j, t, s) { for (i = 1; i <= c; i++) { s[i] = a[i]; for (j = i; j > 1 && s[j - 1] > s[j]; j--) { t = s[j]; s[j] = s[j - 1]; s[j - 1] = t } }
      return c % 2 ? s[(c + 1) / 2] : (s[c / 2] + s[c / 2 + 1]) / 2 }
    function lo(a, c,   i, m) { m = a[1]; for (i = 2; i <= c; i++) if (a[i] < m) m = a[i]; return m }
    function hi(a, c,   i, m) { m = a[1]; for (i = 2; i <= c; i++) if (a[i] > m) m = a[i]; return m }
    END { printf "%-32s wall %6.1f s (%.1f-%.1f), %5.0f images/s;  job %6.1f s (%.1f-%.1f), %5.0f images/s\n",
      label, med(w, c), lo(w, c), hi(w, c), n / med(w, c), med(j, c), lo(j, c), hi(j, c), n / med(j, c) }' "$out/times"
}
echo "runs (name, wall s, job s):"; sed 's/^/  /' "$out/times"
summary npid "npid embed (one JVM)"
summary local1 "npid-spark embed local[1]"
summary local2 "npid-spark embed local[2]"
summary neighbours "npid-spark neighbours local[2], k=$k"
echo "stages of the last local[2] embed:"; grep StageLog "$out/embed2.log" | sed 's/^/  /'
echo "stages of the last neighbours run:"; grep StageLog "$out/log" | sed 's/^/  /'
