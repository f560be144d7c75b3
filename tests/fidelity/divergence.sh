#!/usr/bin/env bash
# avshadow verify must catch a shadow that departs from the kernel: the
# fork_deep scenario (anon_vma reuse down fork chains) under the test-only
# rule set linux-6.18+testbug-noreuse (shadow/rules.c: no reuse at fork)
# must exit 1 with a divergence naming a process, a VMA and the differing
# field; the same capture checked under linux-6.18 must agree.
# usage: divergence.sh AVSHADOW        exit 77: skipped (not root, no BPF)
set -u -o pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
AVS=$(realpath "${1:?usage: divergence.sh AVSHADOW}")
[ "$(id -u)" = 0 ] || { echo "divergence: skipped: needs root"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
${CC:-cc} -O1 -D_GNU_SOURCE -I"$SRC/runtime/include" -I"$SRC/tests/layout" \
  -o "$T/fork_deep" "$HERE/fork_deep.c" -ldl || exit 2
"$AVS" verify --model linux-6.18+testbug-noreuse -o "$T/cap" -- "$T/fork_deep" \
  >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 77 ] && { echo "divergence: skipped: $(tail -1 "$T/err")"; exit 77; }
fail() { echo "divergence: FAIL: $*"; sed 's/^/    /' "$T/out" | head -40; exit 1; }
[ $rc -eq 1 ] || fail "verify exited $rc, not 1"
line=$(grep -m1 -E '^    DIVERGENCE pid [0-9]+ vma 0x[0-9a-f]+-0x[0-9a-f]+: .*(anon_vma|chain|num_children|num_active_vmas|parent|root)' "$T/out") ||
  fail "no divergence line naming a VMA and a field"
grep -A1 -F -- "$line" "$T/out" | grep -q 'events of pid' ||
  fail "the divergence is not shown with its events"
echo "caught:${line#    DIVERGENCE}"
grep -m1 -E '^verify\.[0-9]+ .*agree: .*' "$T/out" | grep -v -m1 -E 'VMAS ([0-9]+)/\1, ANON_VMAS ([0-9]+)/\2, CHAINS ([0-9]+)/\3$' || true
"$AVS" verify --check --model linux-6.18 "$T/cap" >"$T/out2" ||
  { grep -B1 -A4 DIVERGENCE "$T/out2" | sed 's/^/    /' | head -40; tail -1 "$T/out2"; echo "divergence: FAIL: the linux-6.18 shadow does not agree"; exit 1; }
tail -1 "$T/out2"
echo "divergence: ok"
