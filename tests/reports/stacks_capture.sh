#!/usr/bin/env bash
# A real capture of examples/lwn2010.c (built with -g) under avshadow run:
# report.txt and report.json name the program's own functions and source
# lines in the stacks that built its anon_vma families; folded stacks too.
# usage: stacks_capture.sh AVSHADOW LWN2010 SOURCE_DIR
set -u
AVS=$1
PROG=$2
SRC=$3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
check() { local n=$1; shift; if "$@"; then echo "ok   $n"; else echo "FAIL $n"; fails=$((fails + 1)); fi; }

"$AVS" run -o "$T/run" -- "$PROG" >"$T/out" 2>"$T/err"
check "run writes report.txt and report.json" eval '[ -s "$T/run/report.txt" ] && [ -s "$T/run/report.json" ]'
check "text: the fork site in main, with its line" grep -Eq "forked at .*main \(lwn2010\.c:[0-9]+\)" "$T/run/report.txt"
check "JSON: valid, frames name main in lwn2010.c" python3 - "$SRC/docs/report.schema.json" "$T/run/report.json" "$SRC/tests/reports/validate_json.py" <<'PY'
import json, subprocess, sys
subprocess.run([sys.executable, sys.argv[3], sys.argv[1], sys.argv[2]], check=True)
j = json.load(open(sys.argv[2]))
frames = [f for m in j["models"] for fam in m["families"] for o in fam["origins"] for f in o["frames"]]
assert any(f["function"] == "main" and (f["file"] or "").endswith("lwn2010.c") and f["line"] > 0 for f in frames), frames[:5]
PY
"$AVS" report --format folded "$T/run" >"$T/folded" 2>/dev/null
check "folded: main in the stacks" grep -q ";main;" "$T/folded"
[ $fails -eq 0 ]
