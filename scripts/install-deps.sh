#!/usr/bin/env bash
# Installs the Debian 12 packages avshadow needs to build and test, only
# those missing.  Works as root or as a user with sudo.
set -euo pipefail

# (call stacks use glibc's backtrace(), not libunwind: docs/CAPTURE.md)
PKGS=(cmake gcc make pkg-config libcriterion-dev uthash-dev libjson-c-dev
      libelf-dev libdw-dev python3 clang llvm libbpf-dev bpftool
      strace binutils zlib1g graphviz curl
      # real servers of the end-to-end tests (tests/e2e)
      redis-server redis-tools nginx apache2-utils postgresql-15)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "install-deps: need root or sudo to install: ${missing[*]}" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
"${SUDO[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq "${missing[@]}"
