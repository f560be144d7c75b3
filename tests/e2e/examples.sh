#!/usr/bin/env bash
# The forking examples of examples/ recorded for real: each runs under
# `avshadow run -o DIR` with its default sizes and must exit 0 with a
# complete, plausible capture (check_capture.py): the expected forks per
# process, every process exited 0, no inferred event, a report with no
# hazard; then each checkpoint label of the example must be found by
# `avshadow graph --at LABEL`.
#
#   tests/e2e/examples.sh AVSHADOW BIN_DIR
#
# BIN_DIR holds the examples built by CMake (prefork_server zygote bgsave
# cow_storm remap_after_fork).  Exits 1 on any failure.
set -u
AVS=$(realpath "$1")
BIN=$(realpath "$2")
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0

# name, check_capture options, checkpoint labels, -- program arguments
run_one() {
  local name=$1 checks=$2 labels=$3 d=$T/$1
  shift 4
  if ! timeout -k 5 120 "$AVS" run -o "$d" -- "$BIN/$name" "$@" \
      >"$T/$name.out" 2>"$T/$name.err"; then
    echo "FAIL $name: status $?"; cat "$T/$name.out" "$T/$name.err"; fail=1
    return
  fi
  echo "== $name: $(cat "$T/$name.out")"
  # shellcheck disable=SC2086
  python3 "$HERE/check_capture.py" "$AVS" "$d" $checks || fail=1
  for l in $labels; do
    "$AVS" graph --at "$l" --format json "$d" >/dev/null 2>"$T/graph.err" ||
      { echo "FAIL $name: graph --at $l: $(tail -1 "$T/graph.err")"; fail=1; }
  done
  rm -rf "$d"		# cow_storm's traces alone take 2 GB (2 MiB each)
}

run_one prefork_server "--forks 4 --procs 5" "cache-built serving worker-quit" --
run_one zygote "--forks 1 6 2 2 2 2 2 2 --procs 20" "zygote-ready worker helper" --
run_one bgsave "--forks 2 --procs 3" "loaded child-midway parent-midway" --
run_one cow_storm "--forks 1000 --procs 1001" "child-wrote storm" --
run_one remap_after_fork "--forks 1 --procs 2" "child-mprotect child-mremap parent-mremap" --

[ $fail = 0 ] && echo "examples: ok" || echo "examples: FAILED"
exit $fail
