#!/usr/bin/env bash
# npid's training step against the official NPID step, measured in the same windows.
#
#   tools/side_by_side.sh OBJECTIVE THREADS [WIDTH] [BLOCKS]
#     OBJECTIVE  softmax | nce      (npid's SOFTMAX | NCE: the exact softmax, per-image noise)
#     THREADS    native threads for both sides
#     WIDTH      1.0 (default) or 0.25
#     BLOCKS     ABBA blocks to run (default 3)
#
# Each block runs the official step (tools/official_step.py on Debian's python3-torch, with
# OpenBLAS when installed), then `npid bench` twice, then the official step again, each a fresh
# process, and prints the official's two medians over npid's two; the last line gives the median
# ratio and how many blocks reached 1.3x. Interleaving matters on machines whose speed drifts
# within minutes (docs/BENCHMARKS.md); one long run of each side compares two windows, not two
# programs. Needs: apt-get install python3-torchvision libopenblas0-pthread. Full width takes
# about two minutes a block on 2 threads.
set -euo pipefail
cd "$(dirname "$0")/.."
objective=${1:?objective: softmax or nce}
threads=${2:?threads}
width=${3:-1.0}
blocks=${4:-3}
case "$objective" in softmax | nce) ;; *) echo "objective must be softmax or nce" >&2; exit 2 ;; esac
case "$width" in
  1.0) base=64 steps=2 warmup=1 ;;
  0.25) base=16 steps=3 warmup=2 ;;
  *) echo "width must be 1.0 or 0.25" >&2; exit 2 ;;
esac
python=/usr/bin/python3
if ! "$python" -c "import torch" 2>/dev/null; then
  echo "the official step needs Debian's PyTorch: apt-get install -y python3-torchvision libopenblas0-pthread" >&2
  exit 1
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

official() {
  OPENBLAS_NUM_THREADS=$threads REPEATS=3 STEPS=$steps "$python" tools/official_step.py \
    "$threads" "$base" 1 28 "$objective" | sed -n 's/.*median \([0-9.]*\) s\/step.*/\1/p'
}
npid() {
  bin/npid bench --no-epoch --widths "$width" --inputs 1x28 --threads "$threads" \
    --objectives "${objective^^}" --repeats 3 --steps "$steps" --warmup "$warmup" \
    --fashion-mnist=/nonexistent --out "$out/bench.json" 2>&1 |
    awk '/^w[0-9]/ { for (i = 1; i <= NF; i++) if ($i ~ /%$/) { print $(i + 1); exit } }'
}

echo "width $width, $objective, $threads thread(s); seconds per step, ratio = official / npid"
ratios=()
for ((b = 1; b <= blocks; b++)); do
  start=$(date -u +%H:%M)
  o1=$(official); n1=$(npid); n2=$(npid); o2=$(official)
  ratio=$(awk -v a="$o1" -v b="$o2" -v c="$n1" -v d="$n2" 'BEGIN { printf "%.2f", (a + b) / (c + d) }')
  echo "block $b $start UTC: official $o1 $o2 | npid $n1 $n2 | ${ratio}x"
  ratios+=("$ratio")
done
printf '%s\n' "${ratios[@]}" | sort -n | awk '
  { r[NR] = $1; if ($1 >= 1.3) at++ }
  END {
    m = NR % 2 ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2
    printf "median %.2fx over %d block(s), %d of them at 1.3x or more\n", m, NR, at
  }'
