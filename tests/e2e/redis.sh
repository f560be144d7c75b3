#!/usr/bin/env bash
# redis-server recorded end to end (packages redis-server, redis-tools):
# its own config on a free loopback port, no save points, no AOF; a
# redis-benchmark load (SET/GET/LPUSH/INCR over a fixed key space) with
# BGSAVEs issued one after the other while it runs (each forks a child
# that walks the data while the parent keeps writing); then SIGTERM to
# the server pid.  Asserts (lib.sh): the server answers until its
# shutdown, every save succeeded, the forks recorded are the saves Redis
# counted, every process exited 0, no inferred event, a report, the
# shadow's VMAs are the kernel's at launcher checkpoints (after the fill,
# during the first save, at the end); and in a second, strace'd run of
# the same workload, every process's memory-map calls were all recorded.
#
#   tests/e2e/redis.sh AVSHADOW        (exit 77 without the packages)
# env: REQUESTS (60000), KEEP=1 keeps the work folder
set -u
NAME=redis
AVS=$(realpath "$1")
source "$(dirname "$0")/lib.sh"
need redis-server redis-cli redis-benchmark strace
REQUESTS=${REQUESTS:-60000}
T=$(mktemp -d)
if [ "${KEEP:-0}" = 1 ]; then say "work folder $T"; else trap 'cleanup_tree; rm -rf "$T"' EXIT; fi

rcli() { redis-cli -h 127.0.0.1 -p "$PORT" "$@"; }
info() { rcli info "$1" | tr -d '\r' | sed -n "s/^$2://p"; }
saving() { [ "$(info persistence rdb_bgsave_in_progress)" = 1 ]; }
not_saving() { [ "$(info persistence rdb_bgsave_in_progress)" = 0 ]; }
ready() { [ "$(rcli ping)" = PONG ]; }

# one run; MODE plain or strace; sets SAVES
run() {
  local mode=$1 cap=$T/cap.$1 spid bpid n=0
  PORT=$(free_port)
  mkdir -p "$T/data.$mode"
  cat >"$T/redis.$mode.conf" <<EOF
bind 127.0.0.1
port $PORT
daemonize no
save ""
appendonly no
dir $T/data.$mode
logfile $T/redis.$mode.log
EOF
  start "$mode" "$cap" "$T/launcher.$mode.log" redis-server "$T/redis.$mode.conf"
  wait_for 30 "redis-server to answer PING" ready || return
  spid=$(server_pid "$mode")
  [ "$(info server process_id)" = "$spid" ] || bad "$mode: the server is not pid $spid"
  # fill the key space, then the load during which the saves run
  redis-benchmark -h 127.0.0.1 -p "$PORT" -q -t set -n 20000 -r 20000 -d 256 >/dev/null ||
    bad "$mode: redis-benchmark (fill) failed"
  [ "$mode" = plain ] && checkpoint "$cap" "$spid"
  redis-benchmark -h 127.0.0.1 -p "$PORT" -q -c 20 -t set,get,lpush,incr \
    -n "$REQUESTS" -r 20000 -d 256 >"$T/bench.$mode" 2>&1 &
  bpid=$!
  while :; do	# at least one save, then back to back until the load ends
    rcli bgsave >/dev/null
    # while the first save runs (if it has not ended yet) under the load
    [ "$mode" = plain ] && [ $n = 0 ] && checkpoint "$cap" "$spid"
    wait_for 30 "BGSAVE to end" not_saving || break
    n=$((n + 1))
    kill -0 $bpid 2>/dev/null || break
  done
  wait $bpid || bad "$mode: redis-benchmark failed: $(tail -3 "$T/bench.$mode")"
  SAVES=$(info persistence rdb_saves)
  [ "$SAVES" = "$n" ] || bad "$mode: $n BGSAVEs issued, Redis counted ${SAVES:-?}"
  [ "$(info persistence rdb_last_bgsave_status)" = ok ] || bad "$mode: last BGSAVE failed"
  kill -0 "$spid" 2>/dev/null || bad "$mode: the server died before its shutdown"
  say "$mode: $(tr '\r' '\n' <"$T/bench.$mode" | grep -c 'requests per second') tests of $REQUESTS requests, $SAVES BGSAVEs during them"
  [ "$mode" = plain ] && checkpoint "$cap" "$spid"
  kill -TERM "$spid"
  finish 30
  [ "$LSTATUS" = 0 ] || bad "$mode: avshadow run ended with status $LSTATUS"
  grep -q "ready to exit" "$T/redis.$mode.log" || bad "$mode: no clean shutdown in the log"
}

run plain
if [ $fail = 0 ]; then
  python3 "$E2E_DIR/check_capture.py" "$AVS" "$T/cap.plain" \
    --forks "$SAVES" --procs $((SAVES + 1)) --name redis-server=1 || fail=1
  sed -n '3,12p' "$T/cap.plain/report.txt"
  layout "$T/cap.plain"
fi
run strace
[ $fail = 0 ] && coverage "$T/cap.strace"
[ $fail = 0 ] && say ok || say FAILED
exit $fail
