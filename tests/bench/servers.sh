#!/usr/bin/env bash
# Throughput of real servers without and with the capture runtime (a
# benchmark: prints figures, exits 0; 2 if it cannot run).  Each round
# starts every server fresh three ways, one after the other: untraced,
# under `avshadow run`, and under `strace -f --seccomp-bpf -e
# trace=memory,process -o /dev/null` for comparison; prints the median
# over ROUNDS rounds and the ratios to untraced (target >= 0.95).
#
#   redis   redis-benchmark SET+GET (mean of the two rates), with a
#           BGSAVE at the start of the load (the fork of a loaded server)
#   nginx   ab -k (keep-alive) and ab (a connection per request), 2 workers
#   pg      pgbench -C (a backend fork per transaction) and pgbench -S
#           (select-only on 4 kept connections)
#
# usage: servers.sh [AVSHADOW]   (default build/avshadow)
# env: ROUNDS (3), REDIS_N (200000), NGINX_N (40000), PG_TX (250 per
#      client, 4 clients), PG_SEC (5, pgbench -S duration), ONLY (e.g.
#      "redis nginx"); servers whose packages are missing are left out.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
AVS=$(realpath "${1:-$SRC/build/avshadow}" 2>/dev/null)
[ -x "$AVS" ] || { echo "servers: no avshadow at '${1:-$SRC/build/avshadow}'" >&2; exit 2; }
ROUNDS=${ROUNDS:-3}
REDIS_N=${REDIS_N:-200000}
NGINX_N=${NGINX_N:-40000}
PG_TX=${PG_TX:-250}
PG_SEC=${PG_SEC:-5}
ONLY=${ONLY:-redis nginx pg}
T=$(mktemp -d)
chmod 755 "$T"
PID=
trap '[ -n "$PID" ] && kill -KILL $PID 2>/dev/null; rm -rf "$T"' EXIT
R=$T/results
: >"$R"
mkdir -p "$T/w"		# servers' output and capture (postgres writes it)

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for() {	# SECONDS COMMAND...
  local end=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -ge "$end" ] && return 1
    sleep 0.1
  done
}
# launch MODE PREFIX... :: SERVER...: start it untraced, recorded or
# strace'd (PREFIX: e.g. runuser -u postgres --, or nothing)
launch() {
  local mode=$1 pre=()
  shift
  while [ "$1" != :: ]; do pre+=("$1"); shift; done
  shift
  rm -rf "$T/w/cap"
  case $mode in
    none) ${pre[@]+"${pre[@]}"} "$@" >"$T/w/server.log" 2>&1 & ;;
    avshadow) ${pre[@]+"${pre[@]}"} "$AVS" run -o "$T/w/cap" -- "$@" >"$T/w/server.log" 2>&1 & ;;
    strace) ${pre[@]+"${pre[@]}"} strace -f --seccomp-bpf -e trace=memory,process \
              -o /dev/null "$@" >"$T/w/server.log" 2>&1 & ;;
  esac
  PID=$!
}
# stop SIG COMM: signal the process named COMM started (under PID), wait
stop() {
  local p=$PID c
  for _ in 1 2 3 4; do
    [ "$(cat /proc/"$p"/comm 2>/dev/null)" = "$2" ] && break
    c=$(cat /proc/"$p"/task/*/children 2>/dev/null | tr -s ' ' '\n' | grep -m1 .) || break
    p=$c
  done
  kill -"$1" "$p"
  local end=$((SECONDS + 60))
  while kill -0 "$PID" 2>/dev/null && [ $SECONDS -lt $end ]; do sleep 0.1; done
  kill -KILL "$PID" 2>/dev/null
  wait "$PID" 2>/dev/null
  PID=
}
put() { echo "$*" >>"$R"; }	# WORKLOAD MODE VALUE

bench_redis() {
  local mode=$1 port
  port=$(free_port)
  mkdir -p "$T/redis"
  printf 'bind 127.0.0.1\nport %s\nsave ""\nappendonly no\ndir %s\nlogfile %s\n' \
    "$port" "$T/redis" "$T/redis/log" >"$T/redis.conf"
  launch "$mode" :: redis-server "$T/redis.conf"
  wait_for 30 sh -c "[ \"\$(redis-cli -p $port ping)\" = PONG ]" || { echo "redis did not start ($mode)"; return; }
  redis-benchmark -p "$port" -q -t set -n 50000 -r 100000 -d 256 >/dev/null
  redis-cli -p "$port" bgsave >/dev/null
  redis-benchmark -p "$port" --csv -c 50 -t set,get -n "$REDIS_N" -r 100000 -d 256 >"$T/rb" 2>&1
  put redis "$mode" "$(python3 -c '
import csv, sys
r = {row[0]: float(row[1]) for row in csv.reader(open(sys.argv[1])) if row and row[0] in ("SET", "GET")}
print((r["SET"] + r["GET"]) / 2)' "$T/rb")"
  stop TERM redis-server
}

bench_nginx() {
  local mode=$1 port p=$T/nginx
  port=$(free_port)
  mkdir -p "$p/logs" "$p/www"
  head -c 4000 /dev/zero | tr '\0' x >"$p/www/index.html"
  cat >"$p/nginx.conf" <<EOF
daemon off; worker_processes 2; pid $p/nginx.pid; error_log $p/logs/error.log;
events { worker_connections 512; }
http { access_log off; client_body_temp_path $p/body; proxy_temp_path $p/proxy;
  fastcgi_temp_path $p/fcgi; uwsgi_temp_path $p/uwsgi; scgi_temp_path $p/scgi;
  server { listen 127.0.0.1:$port; root $p/www; } }
EOF
  launch "$mode" :: nginx -p "$p" -e "$p/logs/error.log" -c "$p/nginx.conf"
  wait_for 30 curl -sf -o /dev/null "http://127.0.0.1:$port/" || { echo "nginx did not start ($mode)"; return; }
  put nginx-ab-k "$mode" "$(ab -q -k -n "$NGINX_N" -c 16 "http://127.0.0.1:$port/index.html" 2>&1 | sed -n 's/^Requests per second: *\([0-9.]*\).*/\1/p')"
  put nginx-ab "$mode" "$(ab -q -n $((NGINX_N / 4)) -c 16 "http://127.0.0.1:$port/index.html" 2>&1 | sed -n 's/^Requests per second: *\([0-9.]*\).*/\1/p')"
  stop QUIT nginx
}

bench_pg() {
  local mode=$1 port
  port=$(free_port)
  launch "$mode" runuser -u postgres -- :: "$PGBIN/postgres" -D "$T/pg/db" -p "$port" -k "$T/pg" \
    -c listen_addresses=127.0.0.1 -c fsync=off -c max_logical_replication_workers=0
  wait_for 60 "$PGBIN/pg_isready" -q -U postgres -h 127.0.0.1 -p "$port" || { echo "postgres did not start ($mode)"; tail -5 "$T/w/server.log"; stop INT postgres; return; }
  local pgb=("$PGBIN/pgbench" -h 127.0.0.1 -p "$port" -U postgres)
  "${pgb[@]}" -i -q -s 4 postgres >/dev/null 2>&1
  put pgbench-C "$mode" "$("${pgb[@]}" -C -c 4 -j 2 -t "$PG_TX" postgres 2>&1 | sed -n 's/^tps = \([0-9.]*\).*/\1/p')"
  put pgbench-S "$mode" "$("${pgb[@]}" -S -c 4 -j 2 -T "$PG_SEC" postgres 2>&1 | sed -n 's/^tps = \([0-9.]*\).*/\1/p')"
  stop INT postgres
}

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
run=()
for s in $ONLY; do
  case $s in
    redis) command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null && run+=(redis) ;;
    nginx) command -v nginx >/dev/null && command -v ab >/dev/null && run+=(nginx) ;;
    pg) [ -x "${PGBIN:-/}/postgres" ] && [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1 && run+=(pg) ;;
  esac
done
[ ${#run[@]} -gt 0 ] || { echo "servers: no server installed" >&2; exit 2; }
if [[ " ${run[*]} " = *" pg "* ]]; then
  mkdir -p "$T/pg" && chown postgres: "$T/pg" "$T/w"
  runuser -u postgres -- "$PGBIN/initdb" -D "$T/pg/db" -A trust -U postgres --no-sync >/dev/null 2>&1 || exit 2
fi
echo "servers: ${run[*]}; $ROUNDS rounds (untraced, avshadow, strace alternating); $(uname -r), $(nproc) CPUs"
for ((r = 1; r <= ROUNDS; r++)); do
  for s in "${run[@]}"; do
    for mode in none avshadow strace; do
      "bench_$s" "$mode"
    done
  done
  echo "  round $r done"
done

python3 - "$R" <<'EOF'
import sys, statistics as st
vals = {}
order = []
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) < 3:
        continue
    w, m, v = f[0], f[1], float(f[2])
    if w not in order:
        order.append(w)
    vals.setdefault((w, m), []).append(v)
print("%-12s %12s %12s %8s %12s %8s" % ("workload", "untraced/s", "avshadow/s",
                                        "ratio", "strace/s", "ratio"))
for w in order:
    med = {m: st.median(vals[(w, m)]) if vals.get((w, m)) else None
           for m in ("none", "avshadow", "strace")}
    def r(m):
        return "%8.3f" % (med[m] / med["none"]) if med[m] and med["none"] else "%8s" % "-"
    def v(m):
        return "%12.0f" % med[m] if med[m] is not None else "%12s" % "-"
    print("%-12s %s %s %s %s %s" % (w, v("none"), v("avshadow"), r("avshadow"),
                                    v("strace"), r("strace")))
print("(median of %d rounds; ratio = throughput / untraced; target >= 0.95)" %
      max(len(x) for x in vals.values()))
EOF
