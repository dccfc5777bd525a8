#!/bin/bash
# Paired exactness check: the same `weft bench … --format json` runs with a base build and
# this tree's build; prints `identical` or the first differing lines per case (wallMs, the
# only wall-clock field, is dropped, and the keys PAIRED_IGNORE names). Used for benchmarks/results/speed.md §15. A case where
# either side fails (no JSON, e.g. a rejected flag) is FAILED, never identical.
# Usage (from the repository root, after building both):
#   benchmarks/paired-json-diff.sh /tmp/base 'allreduce --topology switch:8 --algo ring --mode ghost -b 8 -e 256M -f 8' …
# Give --mode ghost for timing checks: bench's default mode is data, which moves real bytes
# (a large size then takes minutes and gigabytes).
# BASE is a built checkout of the base commit (e.g. `git archive BASE | tar -x -C /tmp/base`,
# then install and build there). Each further argument is one bench command line.
# PAIRED_IGNORE: more keys to drop, comma-separated, at any depth — e.g. `predictedUs` when only
# simulated results must agree (a predictor change), or `tuner` against a base older than the
# JSON's `tuner` field:
#   PAIRED_IGNORE=predictedUs,ncclPredictedUs benchmarks/paired-json-diff.sh /tmp/base '…'
set -euo pipefail
base=$1
shift
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
same=0
total=0
for args in "$@"; do
  total=$((total + 1))
  failed=''
  for side in base this; do
    root=.
    [ "$side" = base ] && root=$base
    # shellcheck disable=SC2086 # the case is a command line: split it into words
    node "$root/packages/cli/dist/main.js" bench $args --format json 2> "$out/$side.err" |
      PAIRED_IGNORE="${PAIRED_IGNORE:-}" python3 2>/dev/null -c 'import json,os,sys
drop = {"wallMs"} | {k for k in os.environ["PAIRED_IGNORE"].split(",") if k}
def strip(v):
    if isinstance(v, dict): return {k: strip(x) for k, x in v.items() if k not in drop}
    if isinstance(v, list): return [strip(x) for x in v]
    return v
print(json.dumps(strip(json.load(sys.stdin)), indent=1, sort_keys=True))' > "$out/$side.json" || failed="$failed $side: $(head -c 300 "$out/$side.err" | tr '\n' ' ')"
  done
  if [ -n "$failed" ]; then
    echo "FAILED: $args ($failed)"
  elif cmp -s "$out/base.json" "$out/this.json"; then
    same=$((same + 1))
    echo "identical: $args"
  else
    echo "DIFFERENT: $args"
    diff "$out/base.json" "$out/this.json" | head -12
  fi
done
echo "$same of $total identical"
