#!/usr/bin/env bash
# The x86-64 length decoder of interpose/ (x86len.c) against objdump: every
# instruction objdump decodes in each FILE must get the same length
# (unknown is allowed: the patcher refuses what it does not know).
#
#   tests/interpose/decoder.sh [DECODE_CHECK] [FILE...]
#
# Defaults to libc and ld.so.  Exits 77 without objdump or python3.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for t in objdump python3; do
  command -v $t >/dev/null || { echo "decoder: $t not found, skipped"; exit 77; }
done
if [ $# -ge 1 ] && [ -x "$1" ] && [[ $(basename "$1") == *decode_check* ]]; then
  chk=$1; shift
else
  ${CC:-gcc} -std=gnu11 -O2 -Wall -Wextra -Werror -I"$root" -o "$tmp/decode_check" \
    "$here/decode_check.c" "$root/interpose/x86len.c"
  chk=$tmp/decode_check
fi
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(/lib/x86_64-linux-gnu/libc.so.6 /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2)
fail=0
for f in "${files[@]}"; do
  python3 "$here/objdump_lens.py" "$f" | "$chk" "$f" | grep -v "^unknown" || fail=1
done
exit $fail
