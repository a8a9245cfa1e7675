#!/usr/bin/env bash
# The npid-spark benchmark: images/s of `embed` on one folder, three ways, each in its own JVM
# (PyTorch sizes its thread pool once per process):
#   npid embed                 the single-JVM command, all cores
#   npid-spark embed local[1]  one task at a time, all cores for its network
#   npid-spark embed local[2]  two tasks at once, one core each
# then the all-pairs neighbours of the embedded set (npid-spark neighbours, local[2]).
# Usage: tools/bench-spark.sh IMAGE_ROOT CHECKPOINT [K]
#   IMAGE_ROOT holds train/<class>/*.png (Fashion-MNIST as PNG: tools/fashion_mnist_png.py)
set -euo pipefail
root="$1"; ckpt="$2"; k="${3:-20}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
cpu() { awk -F: '/vendor_id|cpu family|^model\t|model name/ {gsub(/^[ \t]+/, "", $2); printf "%s; ", $2}' /proc/cpuinfo | head -c 200; }
echo "machine: $(cpu | awk -F'; ' '{print $1", family "$2", model "$3" ("$4")"}'), $(nproc) cores, $(date -u +%F)"
n=$(find "$root/train" -type f \( -name '*.png' -o -name '*.jpg' -o -name '*.jpeg' \) | wc -l)
echo "images: $n under $root/train"
secs() { local t0 t1; t0=$(date +%s.%N); "$@" > "$out/log" 2>&1 || { cat "$out/log"; exit 1; }; t1=$(date +%s.%N); awk "BEGIN {print $t1 - $t0}"; }
s=$(secs "$here/bin/npid" embed --checkpoint "$ckpt" --data "$root" --split train --out "$out/npid.npy")
printf 'npid embed (one JVM)          %6.1f s  %6.0f images/s   (%s)\n' "$s" "$(awk "BEGIN {print $n / $s}")" "$(grep -o 'embedded.*rows/s' "$out/log")"
for m in 'local[1]' 'local[2]'; do
  s=$(secs "$here/bin/npid-spark" --master "$m" embed --data "$root/train" --checkpoint "$ckpt" --out "$out/spark.parquet" --npy never)
  printf 'npid-spark embed %-9s     %6.1f s  %6.0f images/s   (job: %s)\n' "$m" "$s" "$(awk "BEGIN {print $n / $s}")" "$(grep -o 'in [0-9.]* s, [0-9]* images/s' "$out/log" | tail -1)"
done
s=$(secs "$here/bin/npid-spark" --master 'local[2]' neighbours --data "$out/spark.parquet" --k "$k" --out "$out/nb.parquet" --table never)
printf 'npid-spark neighbours local[2] %6.1f s  (%d images x %d neighbours, exact)\n' "$s" "$n" "$k"
grep -E 'StageLog' "$out/log" | sed 's/^/  /'
