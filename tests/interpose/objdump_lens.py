#!/usr/bin/env python3
"""Print "OFFSET LEN" for every instruction objdump -d decodes in FILE's
executable sections (offset = file offset; objdump's (bad) lines skipped)."""
import re, subprocess, sys
f = sys.argv[1]
# section vaddr -> file offset
secs = []
for l in subprocess.run(["objdump", "-h", f], capture_output=True, text=True).stdout.splitlines():
    p = l.split()
    if len(p) >= 7 and p[0].isdigit():
        secs.append((int(p[3], 16), int(p[2], 16), int(p[5], 16)))
def fo(va):
    for vma, size, off in secs:
        if vma <= va < vma + size:
            return va - vma + off
    return None
cur = None
line_re = re.compile(r"^\s+([0-9a-f]+):\t((?:[0-9a-f]{2} )+)\s*(?:\t(.*))?$")
for l in subprocess.run(["objdump", "-d", "-w", "--insn-width=16", f], capture_output=True, text=True).stdout.splitlines():
    m = line_re.match(l)
    if not m:
        continue
    va = int(m.group(1), 16)
    nb = len(m.group(2).split())
    txt = m.group(3) or ""
    if "(bad)" in txt or txt.startswith(".byte") or "rex" in txt.split(" ")[0] and len(txt.split()) == 1:
        continue
    o = fo(va)
    if o is not None:
        print("%x %d" % (o, nb))
