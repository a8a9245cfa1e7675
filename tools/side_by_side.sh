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
# ratio and how many blocks reached 1.3x. Both sides are timed alike: the same untimed warm-up
# steps, the same repeats of the same steps, and each side's figure is the median of its repeats
# (npid's is its batch over its median images per second, which over an odd number of repeats is
# the median seconds per step), printed with the fastest and slowest repeat. Interleaving matters on machines whose speed drifts
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
  1.0) base=64 steps=2 warmup=2 ;;
  0.25) base=16 steps=3 warmup=3 ;;
  *) echo "width must be 1.0 or 0.25" >&2; exit 2 ;;
esac
python=/usr/bin/python3
if ! "$python" -c "import torch" 2>/dev/null; then
  echo "the official step needs Debian's PyTorch: apt-get install -y python3-torchvision libopenblas0-pthread" >&2
  exit 1
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# official prints "MEDIAN MIN-MAX" seconds per step over its 3 repeats; npid "MEDIAN ±SPREAD%",
# the spread being the one `npid bench` prints for its images per second.
official() {
  OPENBLAS_NUM_THREADS=$threads REPEATS=3 STEPS=$steps WARMUP=$warmup "$python" tools/official_step.py \
    "$threads" "$base" 1 28 "$objective" |
    sed -n 's/.*median \([0-9.]*\) s\/step (min \([0-9.]*\), max \([0-9.]*\)).*/\1 \2-\3/p'
}
npid() {
  bin/npid bench --no-epoch --widths "$width" --inputs 1x28 --threads "$threads" \
    --objectives "${objective^^}" --repeats 3 --steps "$steps" --warmup "$warmup" \
    --fashion-mnist=/nonexistent --out "$out/bench.json" --overwrite 2>&1 |
    awk '/^w[0-9]/ {
      for (i = 1; i <= NF; i++) if ($i ~ /^b=/) b = substr($i, 3)
      for (i = 1; i <= NF; i++) if ($i ~ /%$/) {
        spread = $i; gsub(/[^0-9.]/, "", spread)
        rate = $(i - 1); if (rate !~ /^[0-9.]+$/) rate = $(i - 2)
        break
      }
      printf "%.3f ±%s%%\n", b / rate, spread
      exit }'
}

torch_version=$("$python" -c "import torch; print(torch.__version__)")
echo "width $width, $objective, $threads thread(s); seconds per step (median of 3 repeats, $warmup warm-up steps each side), ratio = official / npid"
echo "official = the official code's step (lemniscate.pytorch) re-created in tools/official_step.py, on Debian's PyTorch $torch_version; npid on its bundled libtorch"
ratios=()
for ((b = 1; b <= blocks; b++)); do
  start=$(date -u +%H:%M)
  read -r o1 o1r <<<"$(official)"
  read -r n1 n1r <<<"$(npid)"
  read -r n2 n2r <<<"$(npid)"
  read -r o2 o2r <<<"$(official)"
  ratio=$(awk -v a="$o1" -v b="$o2" -v c="$n1" -v d="$n2" 'BEGIN { printf "%.2f", (a + b) / (c + d) }')
  echo "block $b $start UTC: official $o1 ($o1r) $o2 ($o2r) | npid $n1 ($n1r) $n2 ($n2r) | ${ratio}x"
  ratios+=("$ratio")
done
printf '%s\n' "${ratios[@]}" | sort -n | awk '
  { r[NR] = $1; if ($1 >= 1.3) at++ }
  END {
    m = NR % 2 ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2
    printf "median %.2fx over %d block(s), %d of them at 1.3x or more\n", m, NR, at
  }'
