#!/usr/bin/env bash
# Coverage of the syscall-site patcher (interpose/) against strace.
#
#   tests/interpose/coverage.sh [IP_COV]
#
# IP_COV is the test program built from cov_main.c + fake_runtime.c +
# interpose/ (CMake target interpose_cov); without it the script builds one
# with gcc in a temporary folder.  Steps:
#   1. behaviour: the program passes the same checks unpatched, patched
#      through /proc/self/mem, and patched through the mprotect fallback;
#   2. coverage: under `strace -f`, the calls strace sees between the
#      program's markers write(-1,"AVS_MARK") and write(-1,"AVS_END") (in
#      every process, up to a successful execve) must equal, per syscall,
#      the calls the fake runtime counted through the patched sites; done
#      for both write methods.
# Prints the sites, then a table per syscall; exits 1 on any mismatch or
# failed check, 77 if strace is missing.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ $# -ge 1 ]; then
  bin=$1
else
  cc=${CC:-gcc}
  flags="-std=gnu11 -O2 -g -Wall -Wextra -Werror -I$root"
  objs=()
  for f in "$root"/interpose/*.c "$root"/interpose/*.S; do
    o=$tmp/$(basename "$f").o
    $cc $flags -fPIC -mgeneral-regs-only -fcf-protection=full -c "$f" -o "$o"
    objs+=("$o")
  done
  $cc $flags -mgeneral-regs-only -c "$here/fake_runtime.c" -o "$tmp/fake.o"
  $cc $flags -c "$here/cov_main.c" -o "$tmp/cov_main.o"
  $cc -o "$tmp/ip_cov" "$tmp/cov_main.o" "$tmp/fake.o" "${objs[@]}" -lpthread -ldl
  bin=$tmp/ip_cov
fi

if ! command -v strace >/dev/null; then
  echo "coverage: strace not found, skipped"
  exit 77
fi

fail=0

# ---- 1. behaviour ----
checks() { awk '/^check/ && $2 != "patch-twice" {print $2, $3}' "$1"; }
"$bin" nopatch >"$tmp/plain.out" || { echo "FAIL: unpatched run"; fail=1; }
for mode in procmem mprotect; do
  arg=; [ $mode = mprotect ] && arg=mprotect
  if ! "$bin" $arg >"$tmp/$mode.out"; then
    echo "FAIL: patched run ($mode)"; grep FAIL "$tmp/$mode.out" || true; fail=1
  fi
  if ! diff <(checks "$tmp/plain.out") <(checks "$tmp/$mode.out") >"$tmp/diff"; then
    echo "FAIL: checks differ between unpatched and patched ($mode)"
    cat "$tmp/diff"; fail=1
  fi
done
sed -n 's/^patched/patched/p; s/^msg /msg: /p' "$tmp/procmem.out"
grep '^site' "$tmp/procmem.out"
echo "behaviour: $(checks "$tmp/plain.out" | grep -c ' ok$') checks ok unpatched," \
  "$(checks "$tmp/procmem.out" | grep -c ' ok$') patched (/proc/self/mem)," \
  "$(checks "$tmp/mprotect.out" | grep -c ' ok$') patched (mprotect)"

# ---- 2. coverage against strace ----
names="mmap munmap mprotect mremap madvise brk pkey_mprotect mlock munlock mlock2 shmat shmdt clone execve execveat exit_group"
trace=$(echo $names | tr ' ' ,),clone3,write

# strace -f -o: "PID name(args) = r", "PID name(... <unfinished ...>",
# "PID <... name resumed>...".  Count call starts between the markers; a
# pid stops counting after its execve succeeds (a new image, unpatched).
strace_counts() {
  awk '
    index($0, "write(-1, \"AVS_MARK\"") { on = 1; next }
    index($0, "write(-1, \"AVS_END\"") { on = 0; next }
    {
      pid = $1
      if ($2 ~ /^<\.\.\./) {                # resumed
        if ($3 == "execve" && $0 ~ /= 0$/) gone[pid] = 1
        next
      }
      if (!on || gone[pid]) next
      n = $2; sub(/\(.*/, "", n)
      if (n !~ /^[a-z_0-9]+$/) next
      c[n]++
      if (n == "execve" && $0 ~ /\) += 0$/) gone[pid] = 1
    }
    END { for (n in c) print n, c[n] }' "$1"
}

for mode in procmem mprotect; do
  arg=; [ $mode = mprotect ] && arg=mprotect
  if ! strace -f -qq -e signal=none -e trace="$trace" -o "$tmp/strace.$mode" \
      "$bin" $arg >"$tmp/traced.$mode"; then
    echo "FAIL: run under strace ($mode)"; fail=1
  fi
  strace_counts "$tmp/strace.$mode" >"$tmp/sc.$mode"
  echo
  echo "coverage ($mode): calls between the markers"
  printf '  %-14s %8s %8s\n' syscall strace patched
  for n in $names; do
    s=$(awk -v n=$n '$1 == n {print $2}' "$tmp/sc.$mode"); s=${s:-0}
    p=$(awk -v n=$n '$1 == "count" && $2 == n {print $3}' "$tmp/traced.$mode"); p=${p:-0}
    st=ok; [ "$s" = "$p" ] || { st=MISMATCH; fail=1; }
    printf '  %-14s %8s %8s  %s\n' $n "$s" "$p" $st
  done
  c3=$(awk '$1 == "clone3" {print $2}' "$tmp/sc.$mode")
  echo "  (clone3 ${c3:-0}: threads and posix_spawn, not routed by design)"
done

[ $fail = 0 ] && echo "coverage: ok" || echo "coverage: FAILED"
exit $fail
