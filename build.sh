#!/usr/bin/env bash
# ./build.sh demo   install what is missing, build, replay a bundled example
# ./build.sh test   install what is missing, build (plain and ASan+UBSan),
#                   run every test
set -euo pipefail
cd "$(dirname "$0")"
JOBS=$(nproc 2>/dev/null || echo 2)

build() { # dir, extra cmake args...
  local dir=$1; shift
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  cmake --build "$dir" -j "$JOBS"
}

case "${1:-}" in
demo)
  scripts/install-deps.sh
  build build
  build/avshadow replay examples/prefork.events
  ;;
test)
  scripts/install-deps.sh
  build build
  (cd build && ctest --output-on-failure)
  # the kernel-fidelity agreement lines (tests/fidelity), for the log
  [ -f build/fidelity-summary.txt ] && cat build/fidelity-summary.txt
  build build-asan -DAVS_SANITIZE=ON
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure)
  ;;
*)
  echo "usage: $0 demo|test" >&2
  exit 2
  ;;
esac
