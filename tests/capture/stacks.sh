#!/usr/bin/env bash
# Call stacks in a capture name the program's own functions, in order
# (tests/capture/stacks.py); AVSHADOW_STACK_DEPTH=0 turns them off.
# usage: stacks.sh AVSHADOW STACK_PROG
set -u -o pipefail
AVS=$1 PROG=$2
HERE=$(cd "$(dirname "$0")" && pwd)
command -v addr2line >/dev/null || { echo "SKIP: addr2line (binutils) missing"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
bad=0
AVSHADOW_STACK_DEPTH=16 "$AVS" run -o "$T/cap" -- "$PROG" >"$T/log" 2>&1 || { echo "FAIL run: $(cat "$T/log")"; exit 1; }
"$AVS" convert --to text "$T/cap" "$T/cap.txt" || exit 1
python3 "$HERE/stacks.py" "$T/cap.txt" "$PROG" || bad=1
AVSHADOW_STACK_DEPTH=0 "$AVS" run -o "$T/off" -- "$PROG" >"$T/log" 2>&1 || { echo "FAIL run (no stacks)"; exit 1; }
"$AVS" convert --to text "$T/off" "$T/off.txt" || exit 1
if grep -qE " frame |stack=" "$T/off.txt"; then
  echo "FAIL AVSHADOW_STACK_DEPTH=0: stacks recorded"; bad=1
else
  echo "ok   AVSHADOW_STACK_DEPTH=0: no stacks"
fi
AVSHADOW_STACK_DEPTH=2 "$AVS" run -o "$T/d2" -- "$PROG" >"$T/log" 2>&1 || { echo "FAIL run (depth 2)"; exit 1; }
"$AVS" convert --to text "$T/d2" "$T/d2.txt" || exit 1
python3 - "$T/d2.txt" <<'PY' || bad=1
import sys, re
fr = {}
deep = 0
for l in open(sys.argv[1]):
    f = l.split()
    if not f or f[0].startswith("#"): continue
    if f[0].startswith("@"): f = f[1:]
    if f[0] == "frame": fr[(f[1], f[2])] = f[3]
for l in open(sys.argv[1]):
    f = l.split()
    if not f or f[0].startswith("#"): continue
    if f[0].startswith("@"): f = f[1:]
    m = re.search(r" stack=(\d+)", l)
    if not m: continue
    n, d = m.group(1), 0
    while n != "0":
        n = fr[(f[1], n)]; d += 1
    deep = max(deep, d)
ok = deep == 2
print(("ok   " if ok else "FAIL ") + f"AVSHADOW_STACK_DEPTH=2: deepest stack {deep}")
sys.exit(0 if ok else 1)
PY
exit $bad
