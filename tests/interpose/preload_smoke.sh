#!/usr/bin/env bash
# Real programs under a test preload library (interpose/ + the fake
# runtime, preload_main.c): the same output and exit status as without it,
# and, summed over every process image of the tree, the calls the patched
# sites counted equal the calls strace sees in each image between its
# constructor's marker and its destructor's.
#
#   tests/interpose/preload_smoke.sh [LIBIP_TEST_SO]
#
# Exits 1 on a difference, 77 without strace or python3.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ $# -ge 1 ]; then
  so=$1
else
  cc=${CC:-gcc}
  flags="-std=gnu11 -O2 -g -Wall -Wextra -Werror -fPIC -mgeneral-regs-only -I$root"
  objs=()
  for f in "$root"/interpose/*.c "$root"/interpose/*.S \
           "$here/fake_runtime.c" "$here/preload_main.c"; do
    o=$tmp/$(basename "$f").o
    $cc $flags -fcf-protection=full -c "$f" -o "$o"
    objs+=("$o")
  done
  $cc -shared -Wl,-z,now -o "$tmp/libip_test.so" "${objs[@]}"
  so=$tmp/libip_test.so
fi
for t in strace python3; do
  command -v $t >/dev/null || { echo "preload_smoke: $t not found, skipped"; exit 77; }
done

names="mmap munmap mprotect mremap madvise brk mlock munlock clone execve exit_group"
trace=$(echo $names | tr ' ' ,),clone3,vfork,write

# per pid: counting after its own AVS_MARK, or from its birth (a thread or
# fork child of a counting process); not after a successful execve (until
# the new image's marker) nor after its AVS_END; the root pid starts off
# (its first line is strace's execve of the program)
strace_counts() {
  awk '
    { pid = $1 }
    NR == 1 { off[pid] = 1; next }      # strace starting the root program
    index($0, "write(-1, \"AVS_MARK\"") { off[pid] = 0; next }
    index($0, "write(-1, \"AVS_END\"") { off[pid] = 1; next }
    $2 ~ /^<\.\.\./ {
      if ($3 == "execve" && $0 ~ /= 0$/) off[pid] = 1
      next
    }
    {
      n = $2; sub(/\(.*/, "", n)
      if (n !~ /^[a-z_0-9]+$/ || off[pid]) next
      c[n]++
      if (n == "execve" && $0 ~ /\) += 0$/) off[pid] = 1
    }
    END { for (n in c) print n, c[n] }' "$1"
}

declare -A nrs=([mmap]=9 [munmap]=11 [mprotect]=10 [mremap]=25 [madvise]=28
  [brk]=12 [mlock]=149 [munlock]=150 [clone]=56 [execve]=59 [exit_group]=231)

fail=0
run_case() { # name, command...
  local name=$1; shift
  local plain_rc=0 pre_rc=0
  "$@" >"$tmp/plain.out" 2>&1 || plain_rc=$?
  rm -f "$tmp/counts"
  env LD_PRELOAD="$so" AVS_IP_COUNTS="$tmp/counts" "$@" >"$tmp/pre.out" 2>&1 || pre_rc=$?
  if [ $plain_rc != $pre_rc ] || ! cmp -s "$tmp/plain.out" "$tmp/pre.out"; then
    echo "FAIL $name: output or status differs ($plain_rc vs $pre_rc)"
    diff "$tmp/plain.out" "$tmp/pre.out" | head -10
    fail=1
  fi
  rm -f "$tmp/counts"
  strace -f -qq -e signal=none -e trace="$trace" -o "$tmp/strace" \
    env LD_PRELOAD="$so" AVS_IP_COUNTS="$tmp/counts" "$@" >/dev/null 2>&1 || true
  strace_counts "$tmp/strace" >"$tmp/sc"
  local flushes; flushes=$(wc -l <"$tmp/counts")
  local line="" bad=0
  for n in $names; do
    local s p
    s=$(awk -v n=$n '$1 == n {print $2}' "$tmp/sc"); s=${s:-0}
    p=$(awk -v k="${nrs[$n]}" '{for (i = 3; i <= NF; i++) {split($i, a, "="); if (a[1] == k) t += a[2]}} END {print t + 0}' "$tmp/counts")
    if [ "$s" = "$p" ]; then line+=" $n $p"; else line+=" $n strace=$s/patched=$p"; bad=1; fi
  done
  if [ $bad = 0 ]; then echo "ok   $name ($flushes count flushes):$line"
  else echo "FAIL $name ($flushes count flushes):$line"; fail=1; fi
}

run_case python3 /usr/bin/python3 -c '
import json, threading, subprocess, ctypes
bufs = [bytearray(1 << 20) for _ in range(50)]
del bufs
def work(i):
    b = [bytes(200000) for _ in range(10)]
    return len(b)
ts = [threading.Thread(target=work, args=(i,)) for i in range(4)]
[t.start() for t in ts]; [t.join() for t in ts]
z = ctypes.CDLL("libz.so.1")
print(json.dumps({"ok": subprocess.run(["true"]).returncode, "z": z.zlibVersion() != 0}))'
run_case bash bash -c 'x=; for i in $(seq 1 30); do x=$x$(echo $i); done; echo ${#x}; ls / | sort | wc -l'
run_case ls ls -la /usr/lib/x86_64-linux-gnu/
run_case sh-pipeline sh -c 'cat /etc/passwd | tr a-z A-Z | sort | head -3'

[ $fail = 0 ] && echo "preload_smoke: ok" || echo "preload_smoke: FAILED"
exit $fail
