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
  # exit 1 means disagreements, counted below against KNOWN_GAPS; a
  # comparison that judged no checkpoint at all is a failure
  python3 "$HERE/compare_maps.py" "$AVS" "$n" "$T/cap/$n" "$T/maps/$n" >"$T/one" 2>&1
  cat "$T/one"; cat "$T/one" >>"$T/results"
  grep -Eq "^(agree|DISAGREE) +$n " "$T/one" || { echo "FAIL     $n: no checkpoint compared" | tee -a "$T/results"; bad=1; }
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
