# Shared by the server tests of tests/e2e/ (sourced, not run).
#
# A server runs twice, with the same configuration and workload:
#   1. `avshadow run -o $T/cap --checkpoint-signal -- SERVER...`: exit
#      statuses, the report, the forks, and at launcher checkpoints taken
#      during the workload the shadow's VMAs against /proc/PID/maps;
#   2. `strace -f ... avshadow run -o $T/cap2 -- SERVER...`: the same tree
#      traced and recorded at once, so every process's memory-map calls
#      can be compared one for one with what was recorded
#      (tests/capture/strace_vs_stats.py).  Counts of two separate runs of
#      a server differ (timing decides which worker takes a connection,
#      when malloc trims), so comparing within one run is the strict check;
#      the launcher's own lines are left out of the strace log (it is not
#      preloaded).
# Every wait polls a readiness condition with a deadline; servers are
# stopped by the pid this script started (its launcher's child).
#
# Callers set: AVS (avshadow), T (work folder), NAME (test name).

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STRACE_SET=mmap,munmap,mprotect,pkey_mprotect,mremap,madvise,brk,clone,clone3,fork,vfork,execve,execveat,openat,shmat,shmdt
fail=0

say() { echo "$NAME: $*"; }
bad() { echo "FAIL $NAME: $*"; fail=1; }
skip() { echo "$NAME: skipped: $*"; exit 77; }

need() {	# commands...: skip unless all are installed
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 || skip "$c not installed (see scripts/install-deps.sh)"
  done
}

free_port() {	# a TCP port free on 127.0.0.1 now
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for SECONDS DESCRIPTION COMMAND...: poll COMMAND until it succeeds
wait_for() {
  local secs=$1 what=$2 end
  shift 2
  end=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $end ]; then
      bad "timed out after ${secs}s waiting for $what"
      return 1
    fi
    sleep 0.1
  done
}

# start MODE CAPDIR LOG SERVER...: start the server under `avshadow run`
# (MODE plain) or under strace -f around it (MODE strace, log in
# CAPDIR.strace), both inside the command prefix of the array WRAP if set
# (e.g. runuser -u postgres --); sets LPID (the pid started)
start() {
  local mode=$1 cap=$2 log=$3
  shift 3
  if [ "$mode" = strace ]; then
    ${WRAP[@]+"${WRAP[@]}"} strace -f --seccomp-bpf -qq -e signal=none \
      -e trace=$STRACE_SET -o "$cap.strace" "$AVS" run -o "$cap" -- "$@" >"$log" 2>&1 &
  else
    ${WRAP[@]+"${WRAP[@]}"} "$AVS" run -o "$cap" --checkpoint-signal -- "$@" >"$log" 2>&1 &
  fi
  LPID=$!
  NCP=0
}

# checkpoint CAPDIR SERVER_PID: a launcher checkpoint of the plain run
# (SIGUSR1 to `avshadow run --checkpoint-signal`: it stops the tree,
# records launcher.N and saves each process's maps in CAPDIR/maps); waits
# for the server's maps file.  Not in the strace'd run: the tree is
# ptraced there and SIGSTOP would not stop it the same way.
checkpoint() {
  local launcher=$LPID
  [ -n "${WRAP[*]:-}" ] && launcher=$(child_of "$LPID")
  NCP=$((NCP + 1))
  kill -USR1 "$launcher"
  wait_for 30 "checkpoint launcher.$NCP" test -s "$1/maps/$2-launcher.$NCP.maps"
}

# layout CAPDIR: the shadow's VMAs against the maps saved at each launcher
# checkpoint (tests/layout/compare_maps.py); one line per process and
# checkpoint, the disagreements in full
layout() {
  local out n
  [ -d "$1/maps" ] || { bad "no maps saved at checkpoints in $1"; return; }
  # a stack grown by page faults is a known gap (docs/CAPTURE.md): shown
  # ("stack grown"), not failed
  out=$(python3 "$E2E_DIR/../layout/compare_maps.py" --known-stack-growth \
    "$AVS" "$NAME" "$1" "$1/maps")
  local rc=$?
  n=$(echo "$out" | grep -c '^agree')
  echo "$out" | grep -v '^agree' | head -40
  say "layout: $n process checkpoints agree with /proc/PID/maps ($(echo "$out" | grep -c 'stack grown') with a stack grown by faults), $(echo "$out" | grep -c '^DISAGREE') disagree"
  [ $rc = 0 ] && [ "$n" -gt 0 ] || bad "the shadow's VMAs differ from the kernel's"
}

# child_of PID: the one child process of PID
child_of() {
  local c
  c=$(cat /proc/"$1"/task/*/children 2>/dev/null | tr -s ' ' '\n' | grep -m1 .)
  [ -n "$c" ] && echo "$c"
}

# server_pid MODE: the server process, the launcher's child
# (LPID [-> WRAP's child] [-> strace's child] -> launcher -> server)
server_pid() {
  local p=$LPID
  if [ -n "${WRAP[*]:-}" ]; then p=$(child_of "$p") || return 1; fi
  if [ "$1" = strace ]; then p=$(child_of "$p") || return 1; fi
  child_of "$p"
}

# finish SECONDS: wait for the started pid to end; its status in LSTATUS
finish() {
  local secs=$1 end=$((SECONDS + $1))
  while kill -0 "$LPID" 2>/dev/null; do
    if [ $SECONDS -ge $end ]; then
      bad "still running ${secs}s after its shutdown: killing the tree"
      kill -KILL "$LPID" 2>/dev/null
      break
    fi
    sleep 0.1
  done
  wait "$LPID"
  LSTATUS=$?
}

# coverage CAPDIR: strace's calls against the recording, per process
coverage() {
  local cap=$1 lpid
  # the launcher is the first pid of the log (strace's own child)
  lpid=$(awk 'NR == 1 { print $1; exit }' "$cap.strace")
  # the runtime records shmat as an mmap and shmdt as an munmap
  # (docs/CAPTURE.md), which strace_vs_stats.py does not count yet:
  # rewrite them so (PostgreSQL attaches a System V segment)
  grep -v "^$lpid " "$cap.strace" | sed -E \
    -e 's/^([0-9]+ +)shmat\([^)]*\) += (0x[0-9a-f]+)$/\1mmap(NULL, 0, PROT_READ|PROT_WRITE, MAP_SHARED, -1, 0) = \2/' \
    -e 's/^([0-9]+ +)shmdt\((0x[0-9a-f]+)\) += 0$/\1munmap(\2, 0) = 0/' >"$cap.strace.tree"
  "$AVS" stats "$cap" >"$cap.stats.json" || { bad "avshadow stats $cap"; return; }
  python3 "$E2E_DIR/../capture/strace_vs_stats.py" "$cap.strace.tree" \
    "$cap.stats.json" "$cap" >"$cap.coverage" 2>&1
  local rc=$?
  # the table can be long (one line per process): totals and mismatches
  grep -E '^(total|pid) |MISMATCH|NOT RECORDED|MISSING|Traceback|Error' "$cap.coverage" | head -40
  [ $rc = 0 ] || bad "capture coverage against strace -f (table in $cap.coverage)"
}

tree_of() {	# PID and its descendants, parents first
  local c
  echo "$1"
  for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do tree_of "$c"; done
}

cleanup_tree() {	# on any exit: nothing this script started keeps running
  local p
  if [ -n "${LPID:-}" ]; then
    for p in $(tree_of "$LPID"); do kill -KILL "$p" 2>/dev/null; done
  fi
  true
}
