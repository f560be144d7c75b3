#!/usr/bin/env bash
# nginx recorded end to end (packages nginx, apache2-utils): a master and
# 2 workers with their own config, prefix and logs on a free loopback
# port (`daemon off`, so the master is the launcher's child), serving a
# static file and a 404 under `ab` (keep-alive and not); then SIGQUIT
# (graceful shutdown) to the master pid.  Asserts (lib.sh): the same two
# workers serve from start to shutdown (none crashed and was respawned),
# no failed request, forks 2, every process exited 0, no inferred event,
# a report, the shadow's VMAs are the kernel's at launcher checkpoints
# (before and after the load); and in a second, strace'd run of the same
# workload, every process's memory-map calls were all recorded.
#
#   tests/e2e/nginx.sh AVSHADOW        (exit 77 without the packages)
# env: REQUESTS (4000), KEEP=1 keeps the work folder
set -u
NAME=nginx
AVS=$(realpath "$1")
source "$(dirname "$0")/lib.sh"
need nginx ab curl strace
REQUESTS=${REQUESTS:-4000}
T=$(mktemp -d)
if [ "${KEEP:-0}" = 1 ]; then say "work folder $T"; else trap 'cleanup_tree; rm -rf "$T"' EXIT; fi
chmod 755 "$T"		# workers run as nobody: they read www/
mkdir -p "$T/www"
head -c 20000 /dev/urandom | base64 >"$T/www/index.html"

workers() { cat /proc/"$1"/task/*/children 2>/dev/null | tr -s ' ' '\n' | grep . | sort; }
ready() { curl -sf -o /dev/null "http://127.0.0.1:$PORT/index.html"; }

# ab -> requests per second, or fails on any failed request
bench() {
  local out
  out=$(ab "$@" 2>&1) || { echo "$out" | tail -3; return 1; }
  echo "$out" | grep -q '^Failed requests: *0$' || { echo "$out" | grep -E 'Failed|Non-2xx'; return 1; }
  echo "$out" | sed -n 's/^Requests per second: *\([0-9.]*\).*/\1/p'
}

run() {
  local mode=$1 cap=$T/cap.$1 mpid w0 w1 p=$T/prefix.$1
  PORT=$(free_port)
  mkdir -p "$p/logs" "$p/tmp"
  cat >"$p/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes 2;
pid $p/nginx.pid;
error_log $p/logs/error.log notice;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $p/tmp/body;
  proxy_temp_path $p/tmp/proxy;
  fastcgi_temp_path $p/tmp/fastcgi;
  uwsgi_temp_path $p/tmp/uwsgi;
  scgi_temp_path $p/tmp/scgi;
  server {
    listen 127.0.0.1:$PORT;
    root $T/www;
  }
}
EOF
  start "$mode" "$cap" "$T/launcher.$mode.log" nginx -p "$p" -e "$p/logs/error.log" -c "$p/nginx.conf"
  wait_for 30 "nginx to serve" ready || { cat "$T/launcher.$mode.log"; return; }
  mpid=$(server_pid "$mode")
  w0=$(workers "$mpid")
  [ "$(echo "$w0" | wc -l)" = 2 ] || bad "$mode: master $mpid has workers '$w0', not 2"
  [ "$mode" = plain ] && checkpoint "$cap" "$mpid"
  R1=$(bench -q -n "$REQUESTS" -c 8 -k "http://127.0.0.1:$PORT/index.html") || bad "$mode: ab (keep-alive) failed"
  R2=$(bench -q -n $((REQUESTS / 4)) -c 8 "http://127.0.0.1:$PORT/index.html") || bad "$mode: ab failed"
  ab -q -n 200 -c 4 "http://127.0.0.1:$PORT/missing" 2>&1 | grep -q '^Non-2xx responses: *200$' ||
    bad "$mode: the 404s were not all 404"
  w1=$(workers "$mpid")
  [ "$w0" = "$w1" ] || bad "$mode: workers changed from '$w0' to '$w1' (one died?)"
  [ "$mode" = plain ] && checkpoint "$cap" "$mpid"
  say "$mode: $REQUESTS keep-alive requests ($R1/s), $((REQUESTS / 4)) connections ($R2/s), 200 404s"
  kill -QUIT "$mpid"
  finish 30
  [ "$LSTATUS" = 0 ] || bad "$mode: avshadow run ended with status $LSTATUS"
  grep -E '\[(alert|emerg|crit)\]' "$p/logs/error.log" && bad "$mode: nginx logged alerts"
}

run plain
if [ $fail = 0 ]; then
  python3 "$E2E_DIR/check_capture.py" "$AVS" "$T/cap.plain" \
    --forks 2 --procs 3 --name nginx=1 || fail=1
  sed -n '3,12p' "$T/cap.plain/report.txt"
  layout "$T/cap.plain"
fi
run strace
[ $fail = 0 ] && coverage "$T/cap.strace"
[ $fail = 0 ] && say ok || say FAILED
exit $fail
