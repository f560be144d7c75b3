#!/usr/bin/env python3
"""Check the call stacks of a capture of tests/capture/stack_prog.c.

usage: stacks.py TEXT_TRACE PROGRAM
       stacks.py --depth N TEXT_TRACE

TEXT_TRACE is `avshadow convert --to text` of the capture.  Each event's
stack (stack=N) is rebuilt from the pid's frame events and its addresses
mapped to PROGRAM's functions with the load events and addr2line, an
independent symbolizer.  With --depth: the deepest stack must have N
frames (0: no stacks at all).  Prints a line per check; exits 1 on a
failure.
"""
import re
import subprocess
import sys

if sys.argv[1] == "--depth":
    want_depth, trace, prog = int(sys.argv[2]), sys.argv[3], None
else:
    want_depth, (trace, prog) = None, sys.argv[1:]
frames = {}   # (pid, id) -> (parent, ip)
loads = {}    # pid -> [(start, end, off, path)]
events = []   # (pid, kind, line, stack)
fail = 0


def check(ok, what):
    global fail
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        fail = 1


for line in open(trace):
    f = line.split()
    if f and f[0].startswith("@"):
        f = f[1:]
    if len(f) < 2 or f[0].startswith("#"):
        continue
    kind, pid = f[0], int(f[1])
    if kind == "frame":
        frames[(pid, int(f[2]))] = (int(f[3]), int(f[4], 16))
    elif kind == "load":
        s, e = (int(x, 16) for x in f[2].split("-"))
        off = 0
        path = ""
        for t in f[3:]:
            if t.startswith("off="):
                off = int(t[4:], 16)
            elif t.startswith("path="):
                path = t[5:]
        loads.setdefault(pid, []).append((s, e, off, path))
    m = re.search(r" stack=(\d+)", line)
    events.append((pid, kind, f, int(m.group(1)) if m else 0))

parent_of = {}
for pid, kind, f, st in events:
    if kind == "fork":
        parent_of[int(f[2])] = pid


def stack_ips(pid, node):
    ips = []
    while node:
        if (pid, node) not in frames:
            return None
        node, ip = frames[(pid, node)][0], frames[(pid, node)][1]
        ips.append(ip)
    return ips


def to_prog_offset(pid, ip):
    p = pid
    while p is not None:
        for s, e, off, path in loads.get(p, []):
            if s <= ip < e and path.endswith("/" + prog.split("/")[-1]):
                return ip - s + off
        p = parent_of.get(p)
    return None


cache = {}


def names(pid, ips):
    out = []
    for ip in ips:
        o = to_prog_offset(pid, ip)
        if o is None:
            out.append("?")
            continue
        if o not in cache:
            r = subprocess.run(["addr2line", "-f", "-e", prog, hex(o - 1)],
                               capture_output=True, text=True)
            cache[o] = r.stdout.split("\n")[0]
        out.append(cache[o])
    return out


def pages(f):
    s, e = (int(x, 16) for x in f[2].split("-"))
    return (e - s) // 4096


def find(kind, npages=None):
    for pid, k, f, st in events:
        if k == kind and (npages is None or pages(f) == npages) \
                and "runtime" not in f:
            return pid, st
    return None, 0


def expect(what, kind, npages, want):
    pid, st = find(kind, npages)
    if pid is None:
        check(False, f"{what}: no such event")
        return
    ips = stack_ips(pid, st) if st else None
    check(bool(ips), f"{what}: has a stack")
    if not ips:
        return
    n = names(pid, ips)
    got = [x for x in n if x != "?"]
    pos = [got.index(w) if w in got else -1 for w in want]
    check(all(p >= 0 for p in pos) and pos == sorted(pos),
          f"{what}: {' <- '.join(want)} in {got}")


if want_depth is not None:
    deepest = max((len(stack_ips(pid, st) or []) for pid, k, f, st in events
                   if st), default=0)
    check(deepest == want_depth and (want_depth or not frames),
          f"deepest stack {deepest} frames, {len(frames)} frame events "
          f"(want {want_depth})")
    sys.exit(fail)

expect("mmap of 7 pages", "mmap", 7,
       ["map_pages", "stack_leaf", "stack_middle", "stack_outer", "main"])
expect("malloc's mmap", "mmap", 257, ["stack_big_malloc", "main"])
expect("fork", "fork", None, ["stack_fork", "main"])
expect("mmap in a thread", "mmap", 5, ["map_pages", "stack_thread"])
expect("mmap in a signal handler", "mmap", 3,
       ["map_pages", "stack_handler", "main"])
# every stack refers to frames of its own pid
dangling = sum(1 for pid, k, f, st in events
               if st and stack_ips(pid, st) is None)
check(dangling == 0, f"every stack= resolves in its pid ({dangling} not)")
sys.exit(fail)
