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
"$AVS" run -o "$T/cap" -- "$PROG" >"$T/log" 2>&1 || { echo "FAIL run: $(cat "$T/log")"; exit 1; }
"$AVS" convert --to text "$T/cap" "$T/cap.txt" || exit 1
python3 "$HERE/stacks.py" "$T/cap.txt" "$PROG" || bad=1
for d in 0 2; do
  AVSHADOW_STACK_DEPTH=$d "$AVS" run -o "$T/d$d" -- "$PROG" >"$T/log" 2>&1 || { echo "FAIL run (depth $d)"; exit 1; }
  "$AVS" convert --to text "$T/d$d" "$T/d$d.txt" || exit 1
  python3 "$HERE/stacks.py" --depth $d "$T/d$d.txt" || bad=1
done
exit $bad
