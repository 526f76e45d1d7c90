#!/usr/bin/env bash
# Trains every example of examples/ (one per method, plus the hybrids) on
# Fashion-MNIST with the same network, epochs, batch, optimiser and seed,
# and prints the README's training table as Markdown.
# Usage: bench/train_table.sh [EPOCHS]   (about 15 minutes on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=${1:-5}
tool=${BILEVELC:-build/compiler/tool/bilevelc}
out=$(mktemp -d)
specs=(fashion_mlp fashion_fenchel_bp fashion_lpom fashion_pcn
       fashion_dualprop fashion_ep fashion_chl hybrid_lpom_top_bp_bottom
       hybrid_dualprop_top_fenchel_mid)
echo "| example | method | epochs | test accuracy | samples/s | inference residual |"
echo "|---|---|---|---|---|---|"
for s in "${specs[@]}"; do
  run="$out/$s"
  method=$(grep -m1 '^method' "examples/$s.bl" | sed 's/^method //')
  [ "$method" = "{" ] && method="recipe"
  if ! "$tool" train "examples/$s.bl" --quiet --epochs "$epochs" \
      --out "$run" > "$out/log.txt" 2>&1; then
    echo "| $s | \`$method\` | $epochs | failed: $(tail -1 "$out/log.txt") | | |"
    continue
  fi
  last=$(tail -1 "$run/metrics.csv")
  printf '| %s | `%s` | %s | %.2f%% | %.0f | %.2g |\n' "$s" "$method" \
    "$epochs" "$(echo "$(echo "$last" | cut -d, -f5) * 100" | bc -l)" \
    "$(echo "$last" | cut -d, -f7)" "$(echo "$last" | cut -d, -f8)"
done
rm -rf "$out"
