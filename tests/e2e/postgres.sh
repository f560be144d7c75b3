#!/usr/bin/env bash
# PostgreSQL recorded end to end (package postgresql-15, which ships
# initdb, postgres and pgbench; postgresql-client-15 pg_isready): a
# cluster made by initdb in a temporary folder, its postmaster on a free
# loopback port, `pgbench -i` then `pgbench -C` (a new connection, so a
# backend forked by the postmaster, for every transaction); then SIGINT
# (fast shutdown) to the postmaster pid.
#
# postgres refuses to run as root, and a recorder in a process whose uid
# changed cannot open the capture files the launcher made (`avshadow run
# -- setpriv --reuid=postgres ... postgres` records setpriv only: "not
# recording: permission denied"), so the launcher itself runs as the
# postgres user: runuser -u postgres -- avshadow run -o DIR -- postgres.
#
# Asserts (lib.sh): the postmaster and its auxiliary processes live from
# start to shutdown, no failed transaction, at least one fork per
# connection, every process exited 0 (the logical replication launcher,
# which exits 1 at shutdown, is not started), no inferred event, a report,
# the shadow's VMAs are the kernel's at launcher checkpoints (after
# pgbench -i, during pgbench -C, at the end); and in a second, strace'd
# run of the same workload, every process's memory-map calls were all
# recorded.
#
#   tests/e2e/postgres.sh AVSHADOW     (exit 77 without the packages or
#                                       the postgres user, or if not root)
# env: TRANSACTIONS (per client, 4 clients; 40), KEEP=1 keeps the folder
set -u
NAME=postgres
AVS=$(realpath "$1")
source "$(dirname "$0")/lib.sh"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$PGBIN/postgres" ] && [ -x "$PGBIN/pgbench" ] || skip "postgresql-15 not installed"
[ "$(id -u)" = 0 ] || skip "needs root (to run the server as the postgres user)"
id postgres >/dev/null 2>&1 || skip "no postgres user"
need runuser strace
TX=${TRANSACTIONS:-40}
T=$(mktemp -d)
if [ "${KEEP:-0}" = 1 ]; then say "work folder $T"; else trap 'cleanup_tree; rm -rf "$T"' EXIT; fi
chown postgres: "$T"
WRAP=(runuser -u postgres --)
PG=("${WRAP[@]}" env -u LD_PRELOAD)
"${PG[@]}" "$PGBIN/initdb" -D "$T/db" -A trust -U postgres --no-sync -E UTF8 \
  >"$T/initdb.log" 2>&1 || { cat "$T/initdb.log"; bad "initdb failed"; exit 1; }

ready() { "$PGBIN/pg_isready" -q -U postgres -h 127.0.0.1 -p "$PORT"; }
aux() {	# the postmaster's auxiliary processes (not backends): pid name
  ps -o pid=,args= --ppid "$1" | grep -E 'checkpointer|background writer|walwriter|autovacuum launcher' | sort
}

run() {
  local mode=$1 cap=$T/cap.$1 spid a0 a1 out
  PORT=$(free_port)
  start "$mode" "$cap" "$T/launcher.$mode.log" "$PGBIN/postgres" -D "$T/db" -p "$PORT" \
    -k "$T" -c listen_addresses=127.0.0.1 -c fsync=off -c max_logical_replication_workers=0
  wait_for 60 "postgres to accept connections" ready || { tail -5 "$T/launcher.$mode.log"; return; }
  spid=$(server_pid "$mode")
  a0=$(aux "$spid")
  [ "$(echo "$a0" | grep -c .)" = 4 ] || bad "$mode: auxiliary processes: $a0"
  "$PGBIN/pgbench" -i -s 1 -q -h 127.0.0.1 -p "$PORT" -U postgres postgres >"$T/init.$mode" 2>&1 ||
    bad "$mode: pgbench -i failed: $(tail -2 "$T/init.$mode")"
  [ "$mode" = plain ] && checkpoint "$cap" "$spid"
  "$PGBIN/pgbench" -C -c 4 -j 2 -t "$TX" -h 127.0.0.1 -p "$PORT" -U postgres postgres \
    >"$T/bench.$mode" 2>&1 &
  local bpid=$!
  # during the load: backends come and go while the tree is stopped
  [ "$mode" = plain ] && checkpoint "$cap" "$spid"
  wait $bpid || bad "$mode: pgbench failed: $(tail -3 "$T/bench.$mode")"
  out=$(cat "$T/bench.$mode")
  echo "$out" | grep -q "^number of transactions actually processed: $((4 * TX))/$((4 * TX))$" &&
    echo "$out" | grep -q '^number of failed transactions: 0 ' || bad "$mode: pgbench: $(echo "$out" | grep -E 'processed|failed')"
  a1=$(aux "$spid")
  [ "$a0" = "$a1" ] || bad "$mode: auxiliary processes changed: '$a0' -> '$a1'"
  [ "$mode" = plain ] && checkpoint "$cap" "$spid"
  say "$mode: $((4 * TX)) transactions on new connections, $(echo "$out" | grep -o 'tps = [0-9.]*')"
  kill -INT "$spid"
  finish 60
  [ "$LSTATUS" = 0 ] || bad "$mode: avshadow run ended with status $LSTATUS"
  grep -E 'PANIC|terminated by signal|was terminated|exited with exit code' "$T/launcher.$mode.log" &&
    bad "$mode: the server log tells of a crash"
  grep -q 'database system is shut down' "$T/launcher.$mode.log" || bad "$mode: no clean shutdown in the log"
}

run plain
if [ $fail = 0 ]; then
  # the postmaster: one fork per connection (pgbench -i's, 4 * TX of
  # pgbench -C, the readiness polls) and its auxiliary processes
  python3 "$E2E_DIR/check_capture.py" "$AVS" "$T/cap.plain" \
    --min-forks $((4 * TX + 5)) --name postgres=1 || fail=1
  sed -n '3,12p' "$T/cap.plain/report.txt"
  layout "$T/cap.plain"
fi
run strace
[ $fail = 0 ] && coverage "$T/cap.strace"
[ $fail = 0 ] && say ok || say FAILED
exit $fail
