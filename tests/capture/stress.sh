#!/usr/bin/env bash
# Capture under stress: threads mapping while another forks, a SIGALRM
# handler that maps memory, vfork+exec, posix_spawn, a child killed with
# SIGKILL, an exec chain of 5, 1000 short-lived children, children made by
# syscall(SYS_fork) and syscall(SYS_clone3).
#
#   tests/capture/stress.sh AVSHADOW BUILD_DIR [STRESS_BINARY]
#
# STRESS_BINARY is stress.c built (without it the script builds it with
# ${CC:-cc}).  For each mode of stress.c, run plainly and under
# `avshadow run`, each bounded by a timeout, then check:
#   - same exit status and same stdout with and without recording, no hang
#     (timeout), no complaint from the runtime;
#   - `avshadow report --check --at-end DIR`: invariants "hold after every
#     event" and "(0 did not fit the shadow)";
#   - `avshadow stats DIR`: no skipped record or truncated file; exactly the
#     pids the program reports on stderr ("pid N": itself and every process
#     it created), each with one exit; the expected number of fork and
#     exec events;
#   - no process of the test left running.
# Prints one line per check; exits 1 if any failed.
set -u

AVS=$(realpath "$1")
BUILD=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
TMO=${AVS_TEST_TIMEOUT:-120}

if [ $# -ge 3 ]; then
  BIN=$(realpath "$3")
else
  BIN=$T/stress
  ${CC:-cc} -std=gnu11 -O2 -g -Wall -Wextra -o "$BIN" "$here/stress.c" \
    -lpthread || { echo "stress: cannot build stress.c"; rm -rf "$T"; exit 2; }
fi

# Processes of this test still running: those whose executable is $BIN.
leftovers() {
  local p
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/exe" 2>/dev/null)" = "$BIN" ] && echo "${p#/proc/}"
  done
}
cleanup() {
  local p
  for p in $(leftovers); do kill -9 "$p" 2>/dev/null; done
  rm -rf "$T"
}
trap cleanup EXIT

fails=0
pass() { echo "ok   $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

# scenario MODE EXPECTED_FORKS EXPECTED_EXECS
scenario() {
  local mode=$1 forks=$2 execs=$3 d=$T/$1
  mkdir -p "$d"
  echo "== $mode"
  timeout -k 5 "$TMO" "$BIN" "$mode" >"$d/plain.out" 2>"$d/plain.err"
  local rc0=$?
  timeout -k 5 "$TMO" "$AVS" run -o "$d/cap" -- "$BIN" "$mode" \
    >"$d/rec.out" 2>"$d/rec.err"
  local rc1=$?
  local left
  left=$(leftovers | tr '\n' ' ')
  if [ -n "$left" ]; then
    fail "$mode: processes left running: $left"
    for p in $left; do kill -9 "$p" 2>/dev/null; done
  fi
  if [ $rc0 = 124 ] || [ $rc0 = 137 ] || [ $rc1 = 124 ] || [ $rc1 = 137 ]; then
    fail "$mode: timed out after ${TMO}s (plain $rc0, recorded $rc1)"
    return
  fi
  [ $rc0 = 0 ] && [ $rc1 = $rc0 ] && pass "$mode: status $rc1, as without recording" \
    || fail "$mode: status $rc1 recorded, $rc0 plain"
  if cmp -s "$d/plain.out" "$d/rec.out"; then
    pass "$mode: same stdout: $(tail -1 "$d/rec.out")"
  else
    fail "$mode: stdout differs"; diff "$d/plain.out" "$d/rec.out" | head -10
  fi
  local odd
  odd=$(grep -v -e '^pid [0-9]*$' -e '^avshadow: capture in ' \
        -e '^avshadow: warning: event ' -e '^avshadow: \.\.\. [0-9]* more warnings' \
        "$d/rec.err")
  [ -z "$odd" ] && pass "$mode: nothing unexpected on stderr" \
    || { fail "$mode: stderr:"; echo "$odd" | head -10; }
  [ -d "$d/cap" ] || { fail "$mode: no capture folder"; return; }

  "$AVS" report --check --at-end "$d/cap" >"$d/report" 2>"$d/report.err"
  if grep -q "hold after every event" "$d/report"; then
    pass "$mode: $(grep -o 'invariants.*' "$d/report" | tr -s ' ')"
  else
    fail "$mode: invariants"; grep -i "invariant\|broke" "$d/report" | head -5
  fi
  local ev
  ev=$(grep -m1 -E '^ *events +[0-9]+' "$d/report" | tr -s ' ')
  if grep -q "(0 did not fit the shadow)" "$d/report"; then
    pass "$mode:$ev"
  else
    fail "$mode:$ev"; grep -m3 "avshadow: warning: event" "$d/report.err"
  fi

  if ! "$AVS" stats "$d/cap" >"$d/stats.json" 2>"$d/stats.err"; then
    fail "$mode: avshadow stats"; cat "$d/stats.err"; return
  fi
  grep '^pid ' "$d/rec.err" | awk '{print $2}' | sort -u >"$d/pids"
  python3 - "$d/stats.json" "$d/pids" "$forks" "$execs" "$mode" <<'EOF'
import json, sys
st = json.load(open(sys.argv[1]))
want = set(int(x) for x in open(sys.argv[2]).read().split())
forks, execs, mode = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
procs = {p["pid"]: p for p in st["processes"]}
bad = 0
def check(ok, what):
    global bad
    print(("ok   " if ok else "FAIL ") + mode + ": " + what)
    bad += not ok
check(st["records_skipped"] == 0 and st["truncated_files"] == 0,
      "%d records skipped, %d truncated files" %
      (st["records_skipped"], st["truncated_files"]))
missing, extra = sorted(want - set(procs)), sorted(set(procs) - want)
check(not missing and not extra,
      "stats lists %d processes, the program reports %d (missing %s, "
      "extra %s)" % (len(procs), len(want), missing[:5], extra[:5]))
noexit = sorted(p for p in want if procs.get(p, {}).get("kinds", {}).get("exit", 0) != 1)
check(not noexit, "%d of %d processes have one exit%s" %
      (len(want) - len(noexit), len(want),
       " (not: %s)" % noexit[:5] if noexit else ""))
k = st["kinds"]
check(k["fork"] == forks, "%d fork events, %d expected" % (k["fork"], forks))
check(k["exec"] == execs, "%d exec events, %d expected" % (k["exec"], execs))
sys.exit(bad)
EOF
  fails=$((fails + $?))
}

scenario threads-fork 100 0
scenario sigalrm 0 0
scenario vfork-exec 0 0	# vfork is not a fork event: each child shows as a start
scenario spawn 0 0
scenario sigkill 1 0
scenario exec-chain 0 5
scenario children 1000 0
scenario raw-fork 2 0	# syscall(SYS_fork), syscall(SYS_clone3) without CLONE_VM

[ $fails = 0 ] && echo "stress: ok" || echo "stress: $fails check(s) FAILED"
exit $((fails != 0))
