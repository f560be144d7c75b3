#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Compare, per process, the memory-map events of `avshadow stats DIR`
with the calls `strace -f` saw in the same run (tests/capture/coverage.sh).

    strace_vs_stats.py STRACE_LOG STATS_JSON DIR

The run is traced and recorded at once (strace -E LD_PRELOAD=libavshadow.so
-E AVSHADOW_OUT=DIR), so both sides see the same calls.  What the runtime
cannot or must not record is left out of the strace side:

  - a new image (the first process, or after a successful execve): calls
    before the constructor (ld.so mapping the program: the seeds describe
    them), and the constructor's own calls, from the openat of
    DIR/<pid>-<seq>.trace up to the openat of /proc/self/smaps (the seeding,
    its last step) - the seq and trace mappings, the trampolines, the
    patching, the zero-page probe;
  - a fork child: the runtime's reopening (munmap of the parent's trace
    window, openat of its own trace file), and later any MAP_SHARED mmap of
    its trace fd;
  - failed calls (-1 E...);
  - brk calls that leave the break where it was (brk(NULL) queries, a
    refused growth): the break is followed per process as the runtime does.

A thread, and a CLONE_VM child before its execve (vfork, posix_spawn),
records under the pid of the process whose memory it runs in, as the
runtime does (rt.pid lives in that memory).  fork = a successful clone,
clone3, fork or vfork without CLONE_VM, counted in the parent.

Prints a table (strace/avshadow per kind) and exits 1 on any mismatch, on
a process strace saw that never opened a trace file, or one stats lacks.
"""
import json
import re
import sys
from collections import Counter, defaultdict

KINDS = ["mmap", "munmap", "mprotect", "mremap", "madvise", "brk", "fork"]
LINE = re.compile(r"^(\d+) +(.*)$")
CALL = re.compile(r"^([a-z_0-9]+)\((.*)\) += (-?[0-9a-fx?]+)(?: .*)?$", re.S)
FORKS = ("clone", "clone3", "fork", "vfork")


def calls(path):
    """(tid, name, args, ret) of every finished call, in log order."""
    pending = {}
    with open(path, errors="replace") as f:
        for raw in f:
            m = LINE.match(raw.rstrip("\n"))
            if not m:
                continue
            tid, rest = int(m.group(1)), m.group(2)
            if rest.startswith("<... "):
                r = re.match(r"<\.\.\. ([a-z_0-9]+) resumed>(.*)$", rest, re.S)
                if not r or tid not in pending:
                    continue
                rest = pending.pop(tid) + r.group(2)
            elif rest.endswith("<unfinished ...>"):
                pending[tid] = rest[: -len("<unfinished ...>")].rstrip()
                continue
            c = CALL.match(rest)
            if c:
                yield tid, c.group(1), c.group(2), c.group(3)


def ret_val(ret):
    if ret == "?":
        return None
    try:
        return int(ret, 0)
    except ValueError:
        return None


def clone_vm(name, args):
    if name == "vfork":
        return True
    if name == "fork":
        return False
    m = re.search(r"flags=([A-Z_0-9|]+)", args)
    return bool(m) and "CLONE_VM" in m.group(1).split("|")


def first_string(args):
    m = re.search(r'"((?:[^"\\]|\\.)*)"', args)
    return m.group(1) if m else None


def main():
    log, stats_path, outdir = sys.argv[1:4]
    outdir = outdir.rstrip("/")
    # pass 1: who created whom (a child's lines may come before the
    # parent's clone returns)
    parent = {}
    for tid, name, args, ret in calls(log):
        r = ret_val(ret)
        if name in FORKS and r is not None and r > 0:
            parent[r] = (tid, clone_vm(name, args))

    owner, phase, brk, rtfd, names = {}, {}, {}, defaultdict(set), {}
    counts = defaultdict(Counter)
    recorded = set()

    def own(tid):
        if tid in owner:
            return owner[tid]
        if tid in parent:
            ptid, vm = parent[tid]
            po = own(ptid)
            if vm:
                owner[tid] = po
                return po
            owner[tid] = tid
            phase[tid] = "reopen"		# fork child
            brk[tid] = brk.get(po)
            names.setdefault(tid, names.get(po, "?"))
            return tid
        owner[tid] = tid
        phase[tid] = "pre"
        return tid

    for tid, name, args, ret in calls(log):
        o = own(tid)
        r = ret_val(ret)
        ok = r is not None and not (-4096 < r < 0)
        on = phase.get(o) == "on"
        if name in ("execve", "execveat") and r == 0:
            owner[tid] = tid
            phase[tid] = "pre"
            brk[tid] = None
            rtfd[tid] = set()
            s = first_string(args) if name == "execve" else None
            names[tid] = (s or "?").rsplit("/", 1)[-1]
            continue
        if name == "openat" and ok:
            path = first_string(args) or ""
            is_trace = (path.startswith(outdir + "/") and
                        path.endswith(".trace"))
            if phase.get(o) in ("pre", "reopen") and is_trace:
                phase[o] = "ctor" if phase[o] == "pre" else "on"
                rtfd[o] = {r}
                recorded.add(o)
            elif phase.get(o) == "ctor" and path == "/proc/self/smaps":
                phase[o] = "on"
            continue
        if name == "brk":
            if r is None:
                continue
            if on and brk.get(o) is not None and r != brk[o]:
                counts[o]["brk"] += 1
            brk[o] = r
            continue
        if not on or not ok:
            continue
        if name == "mmap":
            a = [x.strip() for x in args.split(",")]
            if len(a) >= 5 and "MAP_SHARED" in a[3] and \
                    a[4].lstrip("-").isdigit() and int(a[4]) in rtfd[o]:
                continue		# the runtime's trace window
            counts[o]["mmap"] += 1
        elif name == "madvise" and "268435456, MADV_RANDOM" in args:
            continue		# the runtime's advice on its trace window
        elif name in ("munmap", "mprotect", "mremap", "madvise"):
            counts[o][name] += 1
        elif name == "pkey_mprotect":
            counts[o]["mprotect"] += 1
        elif name in FORKS and r > 0 and not clone_vm(name, args):
            counts[o]["fork"] += 1

    with open(stats_path) as f:
        stats = json.load(f)
    avs = {p["pid"]: p for p in stats["processes"]}
    pids = sorted(set(o for o in owner.values()) | set(avs))
    fail = 0
    hdr = "%-8s %-12s" % ("pid", "name") + "".join(
        "%12s" % k for k in KINDS) + "  status"
    print(hdr)
    print("%-8s %-12s" % ("", "") + "".join(
        "%12s" % "strace/avs" for _ in KINDS))
    tot_s, tot_a = Counter(), Counter()
    for pid in pids:
        p = avs.get(pid)
        kinds = p["kinds"] if p else {}
        name = (p or {}).get("name") or names.get(pid, "?")
        cells, bad = [], []
        for k in KINDS:
            s, a = counts[pid][k], kinds.get(k, 0)
            tot_s[k] += s
            tot_a[k] += a
            cells.append("%12s" % ("%d/%d" % (s, a)))
            if s != a:
                bad.append(k)
        status = "ok"
        if pid not in recorded and pid in owner.values():
            status = "NOT RECORDED (no trace file opened)"
        elif p is None:
            status = "MISSING from stats"
        elif bad:
            status = "MISMATCH " + ",".join(bad)
        if status != "ok":
            fail = 1
        print("%-8d %-12s" % (pid, name[:12]) + "".join(cells) + "  " + status)
    print("%-8s %-12s" % ("total", "") + "".join(
        "%12s" % ("%d/%d" % (tot_s[k], tot_a[k])) for k in KINDS))
    return fail


if __name__ == "__main__":
    sys.exit(main())
