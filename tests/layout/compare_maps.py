#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The shadow's VMAs against the kernel's at each saved checkpoint.

    compare_maps.py [--known-stack-growth] AVSHADOW NAME CAPTURE_DIR MAPS_DIR

MAPS_DIR holds <pid>-<label>.maps files, /proc/PID/maps saved at the
checkpoint LABEL of the capture (by the program, tests/layout/layout.h
snap(), or by `avshadow run --checkpoint-signal`, in DIR/maps).  For each,
the VMAs of that pid in `avshadow graph --at LABEL --format json` must be
the kernel's: same start, end and permissions, and for file mappings
(inode != 0, shmem included) the same offset (pgoff * 4096).  [vsyscall]
is not a VMA and is left out.  Prints "agree" or "DISAGREE" per file with
the differing lines (NAME heads each line); exits 1 on any difference.
--known-stack-growth: a [stack] that the kernel grew downwards by page
faults (same end and permissions, lower start: a known gap of capture,
docs/CAPTURE.md) is not a difference; "agree" says "stack grown".
Used by tests/layout/layout_capture.sh and tests/e2e/.
"""
import json, os, re, subprocess, sys

args = sys.argv[1:]
stack_known = "--known-stack-growth" in args
avs, scen, cap, mapsdir = [a for a in args if a != "--known-stack-growth"]
files = sorted(f for f in os.listdir(mapsdir) if f.endswith(".maps"))
if not files:
    print(f"DISAGREE {scen}: no checkpoint saved its maps")
    sys.exit(1)

def kernel(path):
    out = {}
    for line in open(path):
        f = line.split(maxsplit=5)
        if len(f) < 5:
            continue
        path_ = f[5].strip() if len(f) > 5 else ""
        if path_ == "[vsyscall]":
            continue
        s, e = (int(x, 16) for x in f[0].split("-"))
        out[(s, e)] = dict(perms=f[1], off=int(f[2], 16),
                           file=int(f[4]) != 0, name=path_)
    return out

graphs = {}		# label -> (graph, error): one replay per label

def graph(label):
    if label not in graphs:
        r = subprocess.run([avs, "graph", "--at", label, "--format", "json",
                            cap], capture_output=True, text=True)
        if r.returncode != 0:
            graphs[label] = (None, r.stderr.strip().splitlines()[-1:] or
                             ["status %d" % r.returncode])
        else:
            graphs[label] = (json.loads(r.stdout), [])
    return graphs[label]

def shadow(label, pid):
    j, err = graph(label)
    if j is None:
        return None, err
    for p in j["processes"]:
        if p["pid"] == pid:
            return {(int(v["start"], 16), int(v["end"], 16)):
                    dict(perms=v["perms"], pgoff=v["pgoff"]) for v in p["vmas"]}, []
    return {}, [f"pid {pid} not in the shadow's graph"]

fails = 0
for fn in files:
    m = re.match(r"(\d+)-(.*)\.maps$", fn)
    pid, label = int(m.group(1)), m.group(2)
    k = kernel(os.path.join(mapsdir, fn))
    s, err = shadow(label, pid)
    diff = list(err)
    notes = ""
    if s is not None and stack_known:
        for key, a in list(k.items()):
            if a["name"] != "[stack]" or key in s:
                continue
            same_end = [b for b in s if b[1] == key[1] and b[0] > key[0]]
            if len(same_end) == 1 and s[same_end[0]]["perms"] == a["perms"]:
                s[key] = s.pop(same_end[0])
                notes = ", stack grown"
    if s is not None:
        for key in sorted(set(k) | set(s)):
            a, b = k.get(key), s.get(key)
            rng = "%x-%x" % key
            if a and not b:
                diff.append(f"kernel only  {rng} {a['perms']} {a['off']:x} {a['name']}")
            elif b and not a:
                diff.append(f"shadow only  {rng} {b['perms']} pgoff={b['pgoff']:#x}")
            else:
                why = []
                if a["perms"] != b["perms"]:
                    why.append(f"perms kernel {a['perms']} shadow {b['perms']}")
                if a["file"] and a["off"] != b["pgoff"] * 4096:
                    why.append(f"offset kernel {a['off']:#x} shadow {b['pgoff'] * 4096:#x}")
                if why:
                    diff.append(f"differ       {rng} {a['name']}: " + ", ".join(why))
    print(f"{'agree   ' if not diff else 'DISAGREE'} {scen} {label} ({len(k)} VMAs, pid {pid}{notes})", flush=True)
    for d in diff[:12]:
        print("    " + d)
    if len(diff) > 12:
        print(f"    ... and {len(diff) - 12} more")
    fails += bool(diff)
sys.exit(1 if fails else 0)
