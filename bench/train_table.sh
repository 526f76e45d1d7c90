#!/usr/bin/env bash
# Trains examples/fashion_mlp.bl's network on Fashion-MNIST with every
# preset (same epochs, batch, optimiser and seed) and prints the README's
# training table as Markdown. Usage: bench/train_table.sh [EPOCHS]
# Takes a few minutes per method on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=${1:-5}
tool=${BILEVELC:-build/compiler/tool/bilevelc}
out=$(mktemp -d)
methods=(
  "bp"
  "fenchel_bp(beta = 0.1)"
  "fenchel_bp(beta = 0.1, centered = true)"
  "lpom(beta = 0.1)"
  "pcn(beta = 0.1)"
  "dualprop(beta = 0.1)"
  "ep(beta = 0.01, centered = true)"
  "ep(beta = 0.001)"
  "chl"
)
echo "| method | epochs | test accuracy | samples/s | mean sweeps per batch |"
echo "|---|---|---|---|---|"
for m in "${methods[@]}"; do
  run="$out/run"
  rm -rf "$run"
  "$tool" train examples/fashion_mlp.bl --quiet --epochs "$epochs" \
    --set "method=$m" --out "$run" > "$out/log.txt" 2>&1 || {
    echo "| \`$m\` | $epochs | failed: $(tail -1 "$out/log.txt") | | |"
    continue
  }
  last=$(tail -1 "$run/metrics.csv")
  acc=$(echo "$last" | cut -d, -f5)
  sps=$(echo "$last" | cut -d, -f7)
  printf '| `%s` | %s | %.2f%% | %.0f | %s |\n' "$m" "$epochs" \
    "$(echo "$acc * 100" | bc -l)" "$sps" "$(cut -d, -f8 "$run/metrics.csv" | tail -1)"
done
rm -rf "$out"
