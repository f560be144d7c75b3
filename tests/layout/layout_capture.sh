#!/usr/bin/env bash
# Capture against the kernel: every scenario program of tests/layout/ runs
# under `avshadow run -o DIR`; at each checkpoint it saved its own
# /proc/self/maps (layout.h: snap()).  For each saved maps file, the
# shadow's VMAs of that pid after that checkpoint (avshadow graph --at
# LABEL --format json DIR) must be the kernel's: same start, end and
# permissions, and for file mappings (inode != 0, shmem included) the same
# offset (pgoff * 4096).  [vsyscall] is not a VMA and is left out.
#
# Prints one line per scenario/checkpoint, "agree" or "DISAGREE" with the
# differing lines; exits 1 on any difference or scenario failure, 2 if it
# cannot build or run at all.
#
# usage: layout_capture.sh [AVSHADOW [SCENARIO...]]
#   AVSHADOW defaults to build/avshadow (libavshadow.so beside it);
#   SCENARIO: names of tests/layout/*.c (default: all but exec_target,
#   which exec_parent runs).  KEEP=1 keeps the work folder.  CC (cc).
set -u -o pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
AVS=$(realpath "${1:-$SRC/build/avshadow}" 2>/dev/null)
shift || true
CC=${CC:-cc}
[ -x "$AVS" ] || { echo "layout_capture: no avshadow at '${AVS:-$SRC/build/avshadow}' (build first)" >&2; exit 2; }
T=$(mktemp -d)
if [ "${KEEP:-0}" = 1 ]; then echo "work folder: $T"; else trap 'rm -rf "$T"' EXIT; fi
mkdir -p "$T/bin" "$T/cap" "$T/maps" "$T/tmp" "$T/log"

if [ $# -gt 0 ]; then
  SCEN=("$@")
else
  SCEN=()
  for f in "$HERE"/*.c; do
    n=$(basename "$f" .c)
    [ "$n" = exec_target ] || SCEN+=("$n")
  done
fi
for f in "$HERE"/*.c; do
  n=$(basename "$f" .c)
  $CC -O1 -g -D_GNU_SOURCE -Wall -Wextra -Werror -I"$SRC/runtime/include" -I"$HERE" \
    -o "$T/bin/$n" "$f" -pthread -ldl || { echo "layout_capture: cannot build $n" >&2; exit 2; }
done

bad=0
: >"$T/results"
for n in "${SCEN[@]}"; do
  [ -x "$T/bin/$n" ] || { echo "FAIL     $n: no such scenario"; bad=1; continue; }
  mkdir -p "$T/maps/$n"
  LAYOUT_MAPS_DIR="$T/maps/$n" LAYOUT_TMP="$T/tmp" \
    "$AVS" run -o "$T/cap/$n" -- "$T/bin/$n" >"$T/log/$n" 2>&1
  rc=$?
  if [ $rc -ne 0 ]; then
    echo "FAIL     $n: exit status $rc" | tee -a "$T/results"
    sed 's/^/    /' "$T/log/$n" | head -20
    bad=1
  fi
  python3 - "$AVS" "$n" "$T/cap/$n" "$T/maps/$n" <<'EOF' | tee -a "$T/results" || bad=1
import json, os, re, subprocess, sys

avs, scen, cap, mapsdir = sys.argv[1:]
files = sorted(os.listdir(mapsdir))
if not files:
    print(f"DISAGREE {scen}: no checkpoint saved its maps")
    sys.exit(1)

def kernel(path):
    out = {}
    for line in open(path):
        f = line.split(maxsplit=5)
        if len(f) < 5:
            continue
        path_ = f[5].strip() if len(f) > 5 else ""
        if path_ == "[vsyscall]":
            continue
        s, e = (int(x, 16) for x in f[0].split("-"))
        out[(s, e)] = dict(perms=f[1], off=int(f[2], 16),
                           file=int(f[4]) != 0, name=path_)
    return out

def shadow(label, pid):
    r = subprocess.run([avs, "graph", "--at", label, "--format", "json", cap],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return None, r.stderr.strip().splitlines()[-1:] or ["status %d" % r.returncode]
    j = json.loads(r.stdout)
    for p in j["processes"]:
        if p["pid"] == pid:
            return {(int(v["start"], 16), int(v["end"], 16)):
                    dict(perms=v["perms"], pgoff=v["pgoff"]) for v in p["vmas"]}, []
    return {}, [f"pid {pid} not in the shadow's graph"]

fails = 0
for fn in files:
    m = re.match(r"(\d+)-(.*)\.maps$", fn)
    pid, label = int(m.group(1)), m.group(2)
    k = kernel(os.path.join(mapsdir, fn))
    s, err = shadow(label, pid)
    diff = list(err)
    if s is not None:
        for key in sorted(set(k) | set(s)):
            a, b = k.get(key), s.get(key)
            rng = "%x-%x" % key
            if a and not b:
                diff.append(f"kernel only  {rng} {a['perms']} {a['off']:x} {a['name']}")
            elif b and not a:
                diff.append(f"shadow only  {rng} {b['perms']} pgoff={b['pgoff']:#x}")
            else:
                why = []
                if a["perms"] != b["perms"]:
                    why.append(f"perms kernel {a['perms']} shadow {b['perms']}")
                if a["file"] and a["off"] != b["pgoff"] * 4096:
                    why.append(f"offset kernel {a['off']:#x} shadow {b['pgoff'] * 4096:#x}")
                if why:
                    diff.append(f"differ       {rng} {a['name']}: " + ", ".join(why))
    print(f"{'agree   ' if not diff else 'DISAGREE'} {scen} {label} ({len(k)} VMAs)", flush=True)
    for d in diff[:12]:
        print("    " + d)
    if len(diff) > 12:
        print(f"    ... and {len(diff) - 12} more")
    fails += bool(diff)
sys.exit(1 if fails else 0)
EOF
done
agree=$(grep -c '^agree' "$T/results")
dis=$(grep -c '^DISAGREE' "$T/results")
# KNOWN_GAPS: scenarios of what capture does not record yet (listed in
# docs/CAPTURE.md); their disagreements are shown but do not fail the run
gaps=0
for g in ${KNOWN_GAPS:-}; do
  gaps=$((gaps + $(grep -c "^DISAGREE $g " "$T/results")))
done
[ $((dis - gaps)) -gt 0 ] && bad=1
[ "$gaps" -gt 0 ] && echo "layout_capture: $gaps disagreement(s) in known gaps: ${KNOWN_GAPS:-}"
failed=$(grep -c '^FAIL' "$T/results")
echo "layout_capture: ${#SCEN[@]} scenarios ($failed failed to run), $((agree + dis)) checkpoints: $agree agree, $dis DISAGREE"
exit $bad
