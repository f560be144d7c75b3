#!/usr/bin/env bash
# A program that drops LD_PRELOAD and AVSHADOW_OUT before exec still has
# its exec'd children recorded; the restore is noted once, as a runtime
# checkpoint.  usage: env_restore.sh AVSHADOW
set -u
AVS=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
"$AVS" run -o "$T/run" -- env -u LD_PRELOAD -u AVSHADOW_OUT sh -c '/bin/true' \
  >/dev/null 2>"$T/err" || { echo "FAIL: run"; cat "$T/err"; exit 1; }
"$AVS" stats "$T/run" >"$T/stats" || exit 1
python3 - "$T/stats" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
names = sorted(p["name"] or "" for p in j["processes"])
ok = names == ["sh", "true"] and j["kinds"]["checkpoint"] == 1 and j["runtime"] >= 1
print("processes recorded:", names, "restore notes:", j["kinds"]["checkpoint"])
sys.exit(0 if ok else 1)
PY
