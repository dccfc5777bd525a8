#!/bin/bash
# The steady-state fast-forward's error against the exact engine (benchmarks/results/speed.md §12).
# Usage (from the repository root, after a build):
#   benchmarks/fast-forward-error.sh dgx-h100:nodes=8@1G dgx-h100:nodes=16@16G …
# For each TOPOLOGY@SIZE: weft bench allreduce, ghost, defaults, once with --fast-forward off
# (exact) and once with --fast-forward on; prints the algorithm, simulated µs (full digits),
# events, user CPU s, max RSS KB and the fast-forward's stderr line (periods kept, residual).
set -euo pipefail
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for case in "$@"; do
  topo=${case%@*}
  size=${case#*@}
  for ff in off on; do
    /usr/bin/time -f "%U %M" -o "$out/time" node packages/cli/dist/main.js bench allreduce --topology "$topo" --mode ghost \
      -b "$size" -e "$size" --fast-forward "$ff" --format json > "$out/json" 2> "$out/err"
    python3 - "$topo" "$size" "$ff" "$out" <<'PY'
import json, sys
topo, size, ff, out = sys.argv[1:]
row = json.load(open(f'{out}/json'))['rows'][0]
cpu, rss = open(f'{out}/time').read().split()
note = open(f'{out}/err').read().strip().replace('\n', ' | ')
print(topo, size, ff, row['algorithm'], row['protocol'], row['channels'], repr(row['timeUs']), row['events'], 'cpu', cpu, 'rssKB', rss, note, flush=True)
PY
  done
done
