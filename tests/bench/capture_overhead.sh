#!/usr/bin/env bash
# The capture runtime's overhead, with and without libavshadow.so preloaded
# in the same run (alternating, ROUNDS rounds; best and median of rounds):
#   - mmap + munmap of 64 KiB (ns per pair)            target ratio <= 1.1
#   - fork + _exit + waitpid, 100 MiB written (us)     target ratio <= 1.5
#   - start-up: /bin/true fork+exec+wait (us), exec-to-main of a program
#     (us), and the runtime's constructor alone (us)   target < 1 ms
#   - memory per process at main: RSS (anon / file / shmem), VmSize, and
#     the VMAs the runtime adds
# A benchmark: prints figures, exits 0 (2 if it cannot build or run).
# The C programs are in tests/bench/capture/ (built here with cc, not by
# CMake).  The runtime writes its traces under a temporary folder.
#
# usage: capture_overhead.sh [LIBAVSHADOW_SO]   (default build/libavshadow.so)
# env:   ROUNDS (5), PAIRS (200000), FORKS (20), SPAWNS (50), CC (cc)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
LIB=$(realpath "${1:-$SRC/build/libavshadow.so}" 2>/dev/null)
ROUNDS=${ROUNDS:-5}
PAIRS=${PAIRS:-200000}
FORKS=${FORKS:-20}
SPAWNS=${SPAWNS:-50}
CC=${CC:-cc}
[ -f "$LIB" ] || { echo "capture_overhead: no libavshadow.so at '${1:-$SRC/build/libavshadow.so}' (build first)" >&2; exit 2; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
C=$HERE/capture
for p in pair fork spawn main mem; do
  $CC -O2 -Wall -Wextra -o "$T/cap_$p" "$C/cap_$p.c" || exit 2
done
$CC -O2 -Wall -shared -fPIC -DSTAMP_FIRST -o "$T/cap_stamp_first.so" "$C/cap_stamp.c" || exit 2
$CC -O2 -Wall -shared -fPIC -DSTAMP_LAST -o "$T/cap_stamp_last.so" "$C/cap_stamp.c" || exit 2

OUT=$T/out
fresh() { rm -rf "$OUT"; mkdir "$OUT"; }
# run a command with the runtime preloaded (fresh trace folder), or not
with() { fresh; LD_PRELOAD="$LIB" AVSHADOW_OUT="$OUT" "$@"; }
without() { "$@"; }
R=$T/results
: >"$R"
put() { echo "$*" >>"$R"; }   # KEY VALUE...

echo "capture_overhead: $LIB, $(uname -r), $(nproc) CPUs, $ROUNDS rounds (alternating without/with)"
for ((r = 1; r <= ROUNDS; r++)); do
  put pair_without "$(without "$T/cap_pair" "$PAIRS")" || exit 2
  put pair_with "$(with "$T/cap_pair" "$PAIRS")" || exit 2
  put fork_without "$(without "$T/cap_fork" "$FORKS" 100)" || exit 2
  put fork_with "$(with "$T/cap_fork" "$FORKS" 100)" || exit 2
  fresh
  put true_without "$("$T/cap_spawn" "$SPAWNS" - "$OUT" /bin/true)" || exit 2
  fresh
  put true_with "$("$T/cap_spawn" "$SPAWNS" "$LIB" "$OUT" /bin/true)" || exit 2
  fresh
  put main_without "$("$T/cap_spawn" "$SPAWNS" "$T/cap_stamp_last.so $T/cap_stamp_first.so" "$OUT" "$T/cap_main")" || exit 2
  fresh
  put main_with "$("$T/cap_spawn" "$SPAWNS" "$T/cap_stamp_last.so $LIB $T/cap_stamp_first.so" "$OUT" "$T/cap_main")" || exit 2
done
without "$T/cap_mem" >"$T/mem_without" || exit 2
with "$T/cap_mem" >"$T/mem_with" || exit 2
# the forked children's traces: how big one gets
with "$T/cap_fork" 4 100 >/dev/null || exit 2
du -k --apparent-size "$OUT"/*.trace | sort -n >"$T/fork_traces"
du -k "$OUT"/*.trace | sort -n >"$T/fork_traces_alloc"

python3 - "$R" "$T/mem_without" "$T/mem_with" "$T/fork_traces" "$T/fork_traces_alloc" "$LIB" "$OUT" <<'EOF'
import sys, statistics as st
from collections import Counter
res, mem0, mem1, ftr, ftra, lib, outdir = sys.argv[1:]
vals = {}
for line in open(res):
    k, *v = line.split()
    vals.setdefault(k, []).append([float(x) for x in v])

def col(key, i):
    return [v[i] for v in vals[key]]

def row(name, unit, key, i, target=None):
    a, b = col(key + "_without", i), col(key + "_with", i)
    ba, bb, ma, mb = min(a), min(b), st.median(a), st.median(b)
    t = f"   target <= {target}: {'met' if st.median(b) / st.median(a) <= target else 'NOT met'}" if target else ""
    print(f"  {name:<34} without {ma:9.1f} {unit} (best {ba:.1f})   with {mb:9.1f} {unit} (best {bb:.1f})"
          f"   ratio median {mb / ma:.2f} best {bb / ba:.2f}{t}")

print("\n1. mmap+munmap of 64 KiB (per pair; each round is the mean of the pairs)")
row("pair", "ns", "pair", 0, 1.1)
print("\n2. fork+_exit+waitpid, 100 MiB written (each round: median of its forks)")
row("fork (median of forks)", "us", "fork", 0, 1.5)
row("fork (best fork)", "us", "fork", 1)
sizes = [int(l.split()[0]) for l in open(ftr)]
alloc = [int(l.split()[0]) for l in open(ftra)]
print(f"  disk per process: trace files of a 4-fork run: {len(sizes)}, {sizes[0]}..{sizes[-1]} KiB each "
      f"(file size), {alloc[0]}..{alloc[-1]} KiB allocated")

print("\n3. start-up (each round: median of the spawns)")
row("/bin/true fork+exec+wait", "us", "true", 0)
row("exec to main of a program", "us", "main", 2)
d = st.median(col("main_with", 2)) - st.median(col("main_without", 2))
dt = st.median(col("true_with", 0)) - st.median(col("true_without", 0))
c0, c1 = st.median(col("main_without", 4)), st.median(col("main_with", 4))
print(f"  runtime constructor alone (between stamp constructors): {c1:.1f} us (best {min(col('main_with', 4)):.1f}; "
      f"empty baseline {c0:.1f} us)")
print(f"  start-up added: exec-to-main {d:.1f} us, /bin/true {dt:.1f} us;"
      f" target < 1000 us: {'met' if max(d, dt) < 1000 else 'NOT met'}")

def mem(path):
    status, vmas = None, []
    for l in open(path):
        f = l.split(maxsplit=5)
        if f[0] == "status":
            status = [int(x) for x in f[1:]]
        else:
            vmas.append((f[1], int(f[2]), int(f[3]), int(f[4]), f[5].strip()))
    return status, vmas

(s0, v0), (s1, v1) = mem(mem0), mem(mem1)
print("\n4. memory per process at main (kB)")
for i, n in enumerate(["VmRSS", "RssAnon", "RssFile", "RssShmem", "VmSize"]):
    print(f"  {n:<9} without {s0[i]:8d}  with {s1[i]:8d}  added {s1[i] - s0[i]:+8d}")
print(f"  VMAs      without {len(v0):8d}  with {len(v1):8d}  added {len(v1) - len(v0):+8d}")
key = lambda v: (v[0], v[1], v[4].replace(outdir, "OUT"))
c0 = Counter(key(v) for v in v0)
added = []
for v in v1:
    k = key(v)
    if c0[k]:
        c0[k] -= 1
    else:
        added.append(v)
print("  VMAs present only with the runtime (perms size rss anon path); a size")
print("  change of a VMA the program also has shows here as a new size:")
for v in added:
    print(f"    {v[0]} {v[1]:7d} kB  rss {v[2]:5d}  anon {v[3]:5d}  {v[4].replace(outdir, 'OUT')}")
for v in c0.elements():
    print(f"    (without only) {v[0]} {v[1]} kB {v[2]}")
anon_other = {}
for vs, tag in ((v0, 0), (v1, 1)):
    for v in vs:
        if "libc.so" in v[4] or "ld-linux" in v[4]:
            anon_other.setdefault(v[4].rsplit("/", 1)[-1] + " " + v[0], [0, 0])[tag] += v[3]
print("  anonymous (COW) kB in libc/ld.so segments, without -> with (patched text):")
for k, (a, b) in sorted(anon_other.items()):
    if a != b:
        print(f"    {k:<32} {a:5d} -> {b:5d}")
EOF
exit 0
