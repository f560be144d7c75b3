#!/usr/bin/env bash
# The 2010 example program captured for real with avshadow run, then the
# what-if search over its trace: a stranded page under linux-2.6.34-rc3,
# none under linux-2.6.34 and linux-6.18.
# usage: lwn2010.sh AVSHADOW LWN2010_BINARY
set -u
AVS=$1
PROG=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
check() { if "$@"; then echo "ok   $1 ${*:2}" | cut -c1-100; else echo "FAIL $*"; fails=$((fails + 1)); fi; }

"$AVS" run -o "$T/run" -- "$PROG" >"$T/out" 2>"$T/err"
check test "$?" -eq 0
check grep -q "parent still maps the shared page: 1" "$T/out"
"$AVS" hazards --whatif --model linux-2.6.34-rc3 "$T/run" >"$T/rc3" 2>&1
check test "$?" -eq 1
check grep -q "stranded if page .* touches it first" "$T/rc3"
"$AVS" hazards --whatif --model linux-2.6.34 --model linux-6.18 "$T/run" >"$T/fixed" 2>&1
check test "$?" -eq 0
"$AVS" report --check "$T/run" >"$T/report" 2>&1
check grep -q "hold after every event" "$T/report"
[ $fails -eq 0 ] || { cat "$T/err" "$T/rc3" "$T/fixed" "$T/report" | head -60; }
exit $((fails != 0))
