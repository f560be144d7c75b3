#!/usr/bin/env bash
# avshadow report and diff: text and JSON goldens of two bundled examples,
# the JSON schema, the DOT picture of the LWN 2010 sequence (and its SVG
# when Graphviz is installed), a large graph summarised, folded stacks,
# diff as a CI check, truncated and corrupt inputs.
# usage: run.sh AVSHADOW SOURCE_DIR [--update]   (--update rewrites goldens)
set -u
AVS=$1
SRC=$2
UPDATE=${3:-}
GOLD=$SRC/tests/reports/golden
HERE=$SRC/tests/reports
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
cd "$SRC" || exit 2	# relative input paths: goldens name them as given

check() { # name, command...
  local name=$1; shift
  if "$@"; then echo "ok   $name"; else echo "FAIL $name"; fails=$((fails + 1)); fi
}
run() { "$AVS" "$@" >"$T/out" 2>"$T/err"; echo $? >"$T/rc"; }
rc() { [ "$(cat "$T/rc")" = "$1" ]; }
err_has() { grep -q -- "$1" "$T/err"; }
out_has() { grep -q -- "$1" "$T/out"; }

# goldens: the rule set named, so that they do not depend on this kernel
for ex in prefork lwn-2010; do
  for fmt in text json; do
    g=$GOLD/$ex.$fmt
    run report --model linux-6.18 --format $fmt examples/$ex.events
    if [ "$UPDATE" = --update ]; then cp "$T/out" "$g"; fi
    check "golden $ex.$fmt" eval 'rc 0 && diff -u "$g" "$T/out"'
    [ $fmt = json ] && cp "$T/out" "$T/$ex.json"
  done
done

# the schema: goldens, several rule sets, a checkpoint, a damaged input
run report --format json --model linux-6.18 --model linux-2.6.34-rc3 \
  --model pte-chains examples/lwn-2010.events;  cp "$T/out" "$T/multi.json"
run report --format json --at after-fork examples/lwn-2010.events
cp "$T/out" "$T/at.json"
check "JSON schema" python3 "$HERE/validate_json.py" "$SRC/docs/report.schema.json" \
  "$T/prefork.json" "$T/lwn-2010.json" "$T/multi.json" "$T/at.json"
echo '{"schema_version": 1, "models": [{"forks": "1"}]}' >"$T/bad.json"
check "JSON schema rejects a bad report" eval \
  '! python3 "$HERE/validate_json.py" "$SRC/docs/report.schema.json" "$T/bad.json" >/dev/null'
check "JSON: several rule sets, one entry each" python3 -c '
import json,sys; j=json.load(open(sys.argv[1]))
assert [m["rules"] for m in j["models"]]==["linux-6.18","linux-2.6.34-rc3","pte-chains"]' "$T/multi.json"

# the LWN 2010 picture, checked by structure
run report --format dot --model linux-6.18 --at after-child-cow examples/lwn-2010.events
cp "$T/out" "$T/lwn.dot"
check "DOT: the LWN 2010 anon_vma_chain picture" python3 "$HERE/dot_check.py" lwn "$T/lwn.dot"
if command -v dot >/dev/null; then
  run report --format svg --model linux-6.18 --at after-child-cow examples/lwn-2010.events
  check "SVG rendered by Graphviz" eval 'rc 0 && out_has "<svg" &&
    [ $(grep -c "class=\"node avc\"" "$T/out") = 3 ]'
else
  echo "skip SVG: Graphviz dot is not installed (Debian package graphviz)"
  run report --format svg examples/lwn-2010.events
  check "SVG without dot: a clear message" eval 'rc 2 && err_has graphviz'
fi
# a parent and 150 children, each writing its copy: summarised
{ echo "start 1 comm=server"; echo "mmap 1 0x7f0000000000-0x7f0000004000 rw-p anon"
  echo "fault 1 0x7f0000000000 w"
  for i in $(seq 2 151); do echo "fork 1 $i"; echo "fault $i 0x7f0000000000 w"; done
} >"$T/large.events"
run report --format dot --model linux-6.18 "$T/large.events"
cp "$T/out" "$T/large.dot"
check "DOT: a large graph grouped, AVC counts on edges" python3 "$HERE/dot_check.py" large "$T/large.dot"
check "DOT: 151 processes, 301 AVCs" eval 'grep -q "151 processes" "$T/large.dot" && grep -q "301 AVCs" "$T/large.dot"'
run report --format dot --at no-such-label examples/lwn-2010.events
check "--at an unknown checkpoint: status 1" eval 'rc 1 && err_has "no checkpoint .no-such-label."'

# folded stacks: flame-graph lines adding up to the walk visits
run report --format folded --model linux-6.18 examples/prefork.events
check "folded: frame;frame COUNT lines summing to the visits" eval \
  'rc 0 && ! grep -vqE "^[^ ]+ [0-9]+$" "$T/out" &&
   [ "$(awk "{s+=\$2} END {print s}" "$T/out")" = "$(python3 -c "import json;print(json.load(open(\"$T/prefork.json\"))[\"models\"][0][\"rmap\"][\"visits\"])")" ]'

# diff: twice the forks fails a 50% limit and names the metric
gen() { echo "start 1 comm=server"; echo "mmap 1 0x7f0000000000-0x7f0000010000 rw-p anon"
  echo "fault 1 0x7f0000000000 w"
  for i in $(seq 2 $(($1 + 1))); do echo "fork 1 $i"; echo "fault $i 0x7f0000000000 w"; done; }
gen 4 >"$T/base.events"; gen 8 >"$T/new.events"
run diff --model linux-6.18 --max-increase forks=50 "$T/base.events" "$T/new.events"
check "diff: forks doubled, status 1, metric named" eval \
  'rc 1 && err_has "forks grew by 100.0% (4 -> 8)" && out_has "forks"'
run diff --model linux-6.18 --max-increase forks=50 --max-increase visits=10 \
  "$T/base.events" "$T/base.events"
check "diff: an unchanged rerun, status 0" eval 'rc 0 && ! err_has grew'
run report --format json --model linux-6.18 "$T/base.events"; cp "$T/out" "$T/base.json"
run diff --max-increase metadata_bytes=0 "$T/base.json" "$T/base.json"
check "diff of two JSON reports" eval 'rc 0 && out_has metadata_bytes'
run diff --max-increase nonsense=5 "$T/base.json" "$T/base.json"
check "diff: an unknown metric is a usage error" eval 'rc 2 && err_has "bad --max-increase"'
run diff "$T/base.json" "$T/missing"
check "diff: a missing input, status 2" eval 'rc 2 && err_has "No such file"'

# damaged inputs: a report of what was recorded, or a clear error
"$AVS" convert --to binary examples/prefork.events "$T/p.bin"
size=$(stat -c %s "$T/p.bin")
head -c $((size - 20)) "$T/p.bin" >"$T/cut.bin"
run report --format json --model linux-6.18 --at-end "$T/cut.bin"
check "truncated trace: warning and a report of what was read" eval \
  'rc 0 && err_has "truncated" && python3 -c "import json,sys; j=json.load(open(sys.argv[1])); assert j[\"input\"][\"truncated\"] and j[\"coverage\"][\"events\"]==211" "$T/out"'
run report --model linux-6.18 "$T/cut.bin"
check "truncated trace: text says so" eval 'rc 0 && out_has "damaged input"'
cp "$T/p.bin" "$T/bad.bin"
printf '\x5a' | dd of="$T/bad.bin" bs=1 seek=2000 conv=notrunc status=none
run report "$T/bad.bin"
check "corrupt trace: status 2, a clear error, the report before it" eval \
  'rc 2 && err_has "corrupt record at byte" && out_has "input error"'
head -c 3000 /dev/urandom >"$T/noise"
run report --format json "$T/noise"
check "random bytes: status 2, no crash" eval 'rc 2 && [ -s "$T/err" ]'
run report --format xml examples/lwn-2010.events
check "unknown format named" eval 'rc 2 && err_has "unknown format .xml."'

[ $fails -eq 0 ] && echo "all report checks passed" || echo "$fails report checks failed"
[ $fails -eq 0 ]
