#!/usr/bin/env bash
# Capture coverage: every memory-map call of every process of a tree is an
# event of `avshadow stats`, checked against strace -f.
#
#   tests/capture/coverage.sh AVSHADOW BUILD_DIR [CAP_WORKLOAD]
#
# AVSHADOW is build/avshadow, BUILD_DIR holds libavshadow.so; CAP_WORKLOAD
# is cap_workload.c built (without it the script builds it with ${CC:-cc}).
# Programs: (a) cap_workload (large malloc/realloc, 8 threads, dlopen libz,
# sbrk, fork), (b) python3 -c (real interpreter, not a pyenv shim; threads,
# a fork, zlib, big objects), (c) a bash pipeline with subshells.
#
# Each program runs once, traced and recorded at the same time:
#   strace -f -E LD_PRELOAD=libavshadow.so -E AVSHADOW_OUT=DIR PROGRAM
# and strace_vs_stats.py compares, per process, mmap munmap mprotect mremap
# madvise brk fork of `avshadow stats DIR` with the strace lines made after
# the runtime's constructor (see that script for what it leaves out).
# Prints one table per program; exits 1 on any mismatch, 77 without strace.
set -u

AVS=$(realpath "$1")
BUILD=$(realpath "$2")
LIB=$BUILD/libavshadow.so
here=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
TMO=${AVS_TEST_TIMEOUT:-120}

command -v strace >/dev/null || { echo "coverage: strace not found, skipped"; exit 77; }
[ -f "$LIB" ] || { echo "coverage: $LIB not found"; exit 2; }

if [ $# -ge 3 ]; then
  WL=$(realpath "$3")
else
  WL=$T/cap_workload
  ${CC:-cc} -std=gnu11 -O2 -g -Wall -Wextra -o "$WL" "$here/cap_workload.c" \
    -lpthread -ldl || { echo "coverage: cannot build cap_workload"; exit 2; }
fi

# the real interpreter (/usr/bin/python3 or a pyenv shim's target)
PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
[ -x "$PY" ] || PY=$(command -v python3)

PYCODE='
import os, threading, zlib, json
blobs = [bytearray(200000 * i) for i in range(1, 12)]
d = {str(i): list(range(i % 50)) for i in range(20000)}
s = json.dumps(d)
z = zlib.compress(s.encode() * 4)
del blobs, d
def work(n):
    x = [bytes(100000) for _ in range(n)]
    return len(x)
ts = [threading.Thread(target=work, args=(i + 5,)) for i in range(4)]
for t in ts: t.start()
for t in ts: t.join()
pid = os.fork()
if pid == 0:
    y = bytearray(4 << 20)
    os._exit(0)
os.waitpid(pid, 0)
print(len(zlib.decompress(z)) > 0)
'

BASHCODE='
for i in 1 2 3 4 5; do echo $i; done | (while read x; do echo $((x * 2)); done) | sort -r | (cat; ls / >/dev/null)
v=$( (echo sub; echo shell) | tr a-z A-Z )
{ echo "$v"; seq 1 3000 | tail -1; } | cat
( f() { local a=$(printf "%05d" 42); echo $a; }; f )
'

STRACE_SET=mmap,munmap,mprotect,pkey_mprotect,mremap,madvise,brk,clone,clone3,fork,vfork,execve,execveat,openat

fail=0
run_one() {	# label, program...
  local label=$1; shift
  local d=$T/$label
  mkdir -p "$d/out"
  echo "== $label: $(printf '%s ' "$@" | tr -s '\n ' ' ' | cut -c1-100)"
  timeout -k 5 "$TMO" strace -f -qq -s 4096 -e signal=none -e trace=$STRACE_SET \
    -E LD_PRELOAD="$LIB" -E AVSHADOW_OUT="$d/out" -o "$d/strace.log" \
    "$@" >"$d/stdout" 2>"$d/stderr"
  local rc=$?
  if [ $rc -ne 0 ]; then
    echo "FAIL $label: status $rc"; head -20 "$d/stderr"; fail=1; return
  fi
  if grep -q '^avshadow:' "$d/stderr"; then
    echo "FAIL $label: the runtime complained"; grep '^avshadow:' "$d/stderr"; fail=1
  fi
  if ! "$AVS" stats "$d/out" >"$d/stats.json" 2>"$d/stats.err"; then
    echo "FAIL $label: avshadow stats"; cat "$d/stats.err"; fail=1; return
  fi
  python3 "$here/strace_vs_stats.py" "$d/strace.log" "$d/stats.json" "$d/out" || fail=1
}

run_one workload "$WL"
run_one python "$PY" -c "$PYCODE"
run_one bash /bin/bash -c "$BASHCODE"

[ $fail = 0 ] && echo "coverage: ok" || echo "coverage: FAILED"
exit $fail
