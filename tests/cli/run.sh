#!/usr/bin/env bash
# End-to-end checks of the avshadow command: usage errors, replay, graph,
# convert round trips, truncated and corrupt traces.
# usage: run.sh AVSHADOW SOURCE_DIR
set -u
AVS=$1
SRC=$2
EX=$SRC/examples/lwn-2010.events
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0

check() { # name, condition (a command)
  local name=$1; shift
  if "$@"; then echo "ok   $name"; else echo "FAIL $name"; fails=$((fails + 1)); fi
}

run() { # run the command, keep status, stdout, stderr
  "$AVS" "$@" >"$T/out" 2>"$T/err"; echo $? >"$T/rc"
}
rc() { [ "$(cat "$T/rc")" = "$1" ]; }
err_has() { grep -q -- "$1" "$T/err"; }
out_has() { grep -q -- "$1" "$T/out"; }

run;                           check "no arguments: status 2 and usage" eval 'rc 2 && err_has usage'
run bogus;                     check "unknown command named" eval 'rc 2 && err_has "unknown command .bogus."'
run replay --nope "$EX";       check "unknown option: status 2" eval 'rc 2 && err_has usage'
run graph --format xml "$EX";  check "unknown format named" eval 'rc 2 && err_has "unknown format .xml."'
run replay "$T/missing";       check "missing file: status 2, reason" eval 'rc 2 && err_has "No such file"'

run replay --check "$EX"
check "replay example" eval 'rc 0 && out_has "anon_vmas        1 live (2 allocated" && out_has "hold after every event"'

run graph --at after-child-cow "$EX"
check "graph --at gives the child chain [av2, av1]" \
  python3 -c 'import json,sys; g=json.load(open(sys.argv[1])); p={x["pid"]:x for x in g["processes"]}; assert p[101]["vmas"][0]["chain"]==["av2","av1"]; assert p[101]["vmas"][0]["anon_vma"]=="av2"; a={x["id"]:x for x in g["anon_vmas"]}; assert a["av1"]["num_children"]==2' "$T/out"
run graph --at no-such-label "$EX"
check "graph --at unknown label: status 1" eval 'rc 1 && err_has "no checkpoint .no-such-label."'

# text -> binary -> text keeps every event
"$AVS" convert --to text "$EX" "$T/a.txt"
"$AVS" convert --to binary "$EX" "$T/a.bin"
"$AVS" convert --to text "$T/a.bin" "$T/b.txt"
check "convert round trip" cmp -s "$T/a.txt" "$T/b.txt"
check "binary starts with the magic" eval '[ "$(head -c 8 "$T/a.bin")" = AVSTRACE ]'
"$AVS" graph "$EX" >"$T/g1"; "$AVS" graph "$T/a.bin" >"$T/g2"
check "same graph from text and binary" cmp -s "$T/g1" "$T/g2"

# a trace cut in the middle of a record: what came before is kept
size=$(stat -c %s "$T/a.bin")
head -c $((size - 12)) "$T/a.bin" >"$T/cut.bin"
run replay "$T/cut.bin"
check "truncated trace: warning, report of what was recorded" \
  eval 'rc 0 && err_has "truncated" && out_has "events           14" && err_has "14 whole events"'

# one flipped byte inside a record: a clear error, no crash
cp "$T/a.bin" "$T/bad.bin"
printf '\xff' | dd of="$T/bad.bin" bs=1 seek=100 conv=notrunc status=none
run replay "$T/bad.bin"
check "corrupt trace: status 2 and the byte offset" eval 'rc 2 && err_has "corrupt record at byte"'

head -c 4096 /dev/urandom >"$T/junk"; printf '\0' >>"$T/junk"
run replay "$T/junk"
check "binary junk: clear error" eval 'rc 2 && err_has "neither an avshadow trace"'

printf 'start 1\nmmap 1 0x1000-0x3000 rw-p anon\nfrobnicate 1\n' >"$T/bad.txt"
run replay "$T/bad.txt"
check "bad text line: file and line number" eval 'rc 2 && err_has "bad.txt:3:"'

printf 'start 1\nmunmap 7 0x1000-0x2000\n' >"$T/unknown.txt"
run replay "$T/unknown.txt"
check "event of an unknown pid: warning, not fatal" eval 'rc 0 && err_has "unknown pid 7"'

run replay --model linux-2.6.34-rc3 "$EX"
check "--model rc3: the 2010 page is stranded, with pid and address" \
  eval 'rc 0 && out_has "stranded: pid 100 addr 0x7f0000001000"'
run replay --model linux-2.6.34 "$EX"
check "--model 2.6.34: no hazard" eval 'rc 0 && out_has "hazards          0"'
run replay --model nope "$EX"
check "unknown model: status 2 and the known names" eval 'rc 2 && err_has "known: auto, linux-6.18"'

run replay --model linux-2.6.33 --model linux-6.18 --model pte-chains "$SRC/examples/prefork.events"
check "several models: one column each (2.6.33 walks the whole family)" \
  eval 'rc 0 && grep -Eq "walk visits, total +880 +496 +400" "$T/out" && grep -Eq "rmap metadata bytes +208 +2112 +4096" "$T/out"'

# hazards: status 1 when one is found, with its minimal sequence
run hazards --model linux-2.6.34-rc3 "$EX"
check "hazards under rc3: status 1, the stranded page and its sequence" \
  eval 'rc 1 && out_has "stranded: pid 100 maps page 0x7f0000001000" && out_has "minimal"'
grep -v -e swapout -e swapin "$EX" >"$T/noswap.events"
run hazards --whatif --model linux-2.6.34-rc3 "$T/noswap.events"
check "what-if finds the 2010 ordering in a trace without swap" \
  eval 'rc 1 && out_has "recorded stream: 0 hazards" && out_has "pid 101 touches it first"'
run hazards --whatif --model linux-6.18 --model linux-2.6.34 "$T/noswap.events"
check "what-if under 6.18 and 2.6.34: none, status 0" eval 'rc 0 && ! out_has "stranded"'

echo "$fails failure(s)"
[ "$fails" -eq 0 ]
