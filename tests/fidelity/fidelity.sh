#!/usr/bin/env bash
# The shadow against the running kernel: every scenario program of
# tests/layout/ and tests/fidelity/ runs under `avshadow verify`, which
# compares the shadow's anon_vma graph with the kernel's (BPF iterator) at
# each checkpoint, fork and exit.  Scenarios of MUST_AGREE fail the test on
# any divergence; the others (GAPS, with the reason beside each) are run
# and shown, not failed.
#
# Prints one line per snapshot ("verify.N (...): agree: VMAS a/b, ...") and
# writes them, with a summary, to $FIDELITY_SUMMARY (default
# ./fidelity-summary.txt).  Exit: 0 all must-agree scenarios agree, 1 a
# divergence or a scenario failure, 2 cannot build, 77 skipped (not root,
# no BTF, avshadow built without the BPF iterator).
#
# usage: fidelity.sh AVSHADOW [SCENARIO...]     KEEP=1 keeps the work folder
set -u -o pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
AVS=$(realpath "${1:?usage: fidelity.sh AVSHADOW [SCENARIO...]}")
shift
SUMMARY=${FIDELITY_SUMMARY:-$PWD/fidelity-summary.txt}
CC=${CC:-cc}

# scenario: reason it is not required to agree
declare -A GAPS=(
  [aio_ring]="io_setup's [aio] ring is not hooked (docs/CAPTURE.md)"
  [mseal]="mseal is not hooked"
  [remap_file_pages]="remap_file_pages is not hooked"
  [uffd_register]="userfaultfd registration (an ioctl) is not hooked"
  [stack_grow]="stack growth by page faults is not seen"
  [threads_mremap]="a moving mremap racing mmap/munmap in another thread"
  [mprotect_fork]="a write then a split (mprotect) before any sample: learned late"
  [mprotect_split]="a write then a split (mprotect) before any sample: learned late"
  [madv_dontfork]="a write then a split (madvise) before any sample: learned late"
  [madv_wipeonfork]="a write then a split (madvise) before any sample: learned late"
  [threads]="thread stacks written before their guard split is sampled: learned late"
  [threads_churn]="thread stacks written before their guard split is sampled: learned late"
  [partial_failure]="an mlock that fails on a hole is recorded like one that succeeded: the shadow populates, do_mlock() does not"
)

[ "$(id -u)" = 0 ] || { echo "fidelity: skipped: needs root (BPF iterator)"; exit 77; }
T=$(mktemp -d)
if [ "${KEEP:-0}" = 1 ]; then echo "work folder: $T"; else trap 'rm -rf "$T"' EXIT; fi
mkdir -p "$T/bin" "$T/cap" "$T/tmp" "$T/out"
probe=$("$AVS" verify -o "$T/probe" -- /bin/true 2>&1)
case $? in
  77) echo "fidelity: skipped: ${probe##*avshadow verify: }"; exit 77 ;;
  0) ;;
  *) echo "fidelity: avshadow verify does not work:"; echo "$probe"; exit 1 ;;
esac

for f in "$SRC"/tests/layout/*.c "$HERE"/*.c; do
  n=$(basename "$f" .c)
  $CC -O1 -g -D_GNU_SOURCE -Wall -Wextra -Werror -I"$SRC/runtime/include" \
    -I"$SRC/tests/layout" -o "$T/bin/$n" "$f" -pthread -ldl ||
    { echo "fidelity: cannot build $n" >&2; exit 2; }
done
if [ $# -gt 0 ]; then SCEN=("$@"); else
  SCEN=(); for f in "$T"/bin/*; do
    n=$(basename "$f"); [ "$n" = exec_target ] || SCEN+=("$n"); done
fi

bad=0 must=0 must_ok=0 snaps=0
: >"$SUMMARY"
for n in "${SCEN[@]}"; do
  LAYOUT_TMP="$T/tmp" timeout 120 "$AVS" verify -o "$T/cap/$n" -- "$T/bin/$n" \
    >"$T/out/$n" 2>"$T/out/$n.err"
  rc=$?
  gap=${GAPS[$n]:-}
  last=$(tail -1 "$T/out/$n")
  if [ -n "$gap" ]; then
    echo "gap      $n ($gap): $last"
  elif [ $rc -eq 0 ]; then
    echo "agree    $n: $last"; must=$((must + 1)); must_ok=$((must_ok + 1))
  else
    echo "DIVERGE  $n (status $rc): $last"; must=$((must + 1)); bad=1
    sed 's/^/    /' "$T/out/$n" | grep -v '^    verify\.[0-9]* .*agree' | head -60
    sed 's/^/    /' "$T/out/$n.err" | head -10
  fi
  snaps=$((snaps + $(grep -c '^verify\.[0-9]' "$T/out/$n")))
  sed "s/^/$n: /" "$T/out/$n" | grep -E '^[a-z0-9_]+: verify\.[0-9]' >>"$SUMMARY"
done 2>&1 | tee -a "$SUMMARY.log"
bad=$(grep -c '^DIVERGE' "$SUMMARY.log"); must_ok=$(grep -c '^agree' "$SUMMARY.log")
{
  grep -E '^(agree|gap|DIVERGE) ' "$SUMMARY.log"
  echo "fidelity: ${#SCEN[@]} scenarios, $(grep -c . "$SUMMARY") snapshots;" \
       "must agree: $((must_ok + bad)), of which $must_ok agree on every snapshot"
} >>"$SUMMARY"
rm -f "$SUMMARY.log"
tail -1 "$SUMMARY"
echo "fidelity: every agreement line is in $SUMMARY"
[ "$bad" -eq 0 ]
