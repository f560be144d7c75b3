#!/usr/bin/env bash
# No hazard under linux-6.18, what-if search included, on every test
# workload: the kernel layout scenarios' event streams and the examples.
# usage: no_hazards_6_18.sh AVSHADOW KERNEL_LAYOUT SOURCE_DIR
set -u
AVS=$1
KL=$2
SRC=$3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
"$KL" -k "$T" >/dev/null 2>&1
[ $? -eq 77 ] && { echo "kernel layout scenarios skipped: examples only"; }
fails=0 n=0
for f in "$T"/*.events "$SRC"/examples/*.events; do
  [ -e "$f" ] || continue
  n=$((n + 1))
  if ! "$AVS" hazards --whatif --model linux-6.18 "$f" >"$T/out" 2>&1; then
    echo "FAIL $(basename "$f"): hazard under linux-6.18"; cat "$T/out"
    fails=$((fails + 1))
  fi
done
echo "$n workloads, $fails with a hazard under linux-6.18"
[ "$n" -gt 0 ] && [ "$fails" -eq 0 ]
