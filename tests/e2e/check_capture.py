#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Is a capture of `avshadow run -o DIR` complete and plausible?

    check_capture.py AVSHADOW DIR [--forks N N ...] [--min-forks N] [--procs N]
                     [--status S ...] [--name NAME=COUNT ...]

Checks, printing one line per failed check (and "capture ok: ..."):
  - DIR/report.txt was written and holds a summary with no hazard;
  - `avshadow stats DIR`: no inferred event, no skipped record, no
    truncated or stopped trace file;
  - every process of the stats has an exit event, and every exit status
    (the exit_group hook's or the launcher's reap) is one of --status
    (default 0), so a crash or a kill shows;
  - --forks: the multiset of nonzero per-process fork counts (e.g. a
    zygote: 1 6 2 2 2 2 2 2), or --min-forks: at least N forks by one
    process (a server that forks per connection), --procs: the number of
    processes;
  - --name NAME=COUNT: COUNT process images named NAME (comm of the
    image's start; fork children are counted with their parent's name).
Prints the per-process counts summary; exits 1 on any failure.
"""
import argparse
import json
import re
import subprocess
import sys
from collections import Counter, defaultdict


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("avshadow")
    ap.add_argument("dir")
    ap.add_argument("--forks", type=int, nargs="+")
    ap.add_argument("--min-forks", type=int)
    ap.add_argument("--procs", type=int)
    ap.add_argument("--status", type=int, nargs="+", default=[0])
    ap.add_argument("--name", action="append", default=[])
    a = ap.parse_args()
    bad = []

    try:
        report = open(a.dir + "/report.txt").read()
    except OSError as e:
        report = ""
        bad.append("no report: %s" % e)
    if report and "avshadow summary" not in report:
        bad.append("report.txt holds no summary")
    m = re.search(r"^\s*hazards\s+(\d+)", report, re.M)
    if report and (not m or m.group(1) != "0"):
        bad.append("report: hazards %s" % (m.group(1) if m else "?"))

    r = subprocess.run([a.avshadow, "stats", a.dir], capture_output=True,
                       text=True)
    if r.returncode:
        print("FAIL avshadow stats: %s" % r.stderr.strip())
        return 1
    st = json.loads(r.stdout)
    for k in ("inferred", "records_skipped", "truncated_files"):
        if st.get(k):
            bad.append("stats: %s %s" % (k, st[k]))
    for f in st["files"]:
        if f.get("truncated") or f.get("stopped") or f.get("bytes_lost"):
            bad.append("trace %s truncated/stopped" % f["name"])
    procs = st["processes"]

    # exit statuses, from the merged stream's text form
    r = subprocess.run([a.avshadow, "convert", "--to", "text", a.dir,
                        "/dev/stdout"], capture_output=True, text=True)
    if r.returncode:
        bad.append("avshadow convert: %s" % r.stderr.strip())
    exits = defaultdict(list)
    for line in r.stdout.splitlines():
        e = re.match(r"@\d+ exit (\d+)(?: status=(-?\d+))?", line)
        if e:
            exits[int(e.group(1))].append(int(e.group(2) or 0))
    for p in procs:
        s = exits.get(p["pid"])
        if not s:
            bad.append("pid %d (%s): no exit" % (p["pid"], p["name"]))
        elif any(x not in a.status for x in s):
            bad.append("pid %d (%s): exit status %s" %
                       (p["pid"], p["name"], ",".join(map(str, s))))

    forks = sorted((p["kinds"].get("fork", 0) for p in procs
                    if p["kinds"].get("fork")), reverse=True)
    if a.forks is not None and forks != sorted(a.forks, reverse=True):
        bad.append("forks per process %s, expected %s" %
                   (forks, sorted(a.forks, reverse=True)))
    if a.min_forks is not None and (forks or [0])[0] < a.min_forks:
        bad.append("at most %d forks by one process, expected at least %d"
                   % ((forks or [0])[0], a.min_forks))
    if a.procs is not None and len(procs) != a.procs:
        bad.append("%d processes, expected %d" % (len(procs), a.procs))
    # a fork child has no name of its own: it is its parent's image
    names = Counter(p["name"] for p in procs if p["name"])
    for spec in a.name:
        n, c = spec.rsplit("=", 1)
        if names[n] != int(c):
            bad.append("%d images named %s, expected %s" % (names[n], n, c))

    tot = st["kinds"]
    print("capture %s: %d processes, %d events; forks %s; mmap %d munmap %d "
          "mprotect %d mremap %d madvise %d brk %d; exits %s" %
          (a.dir, len(procs), st["events"], forks[:12], tot["mmap"],
           tot["munmap"], tot["mprotect"], tot["mremap"], tot["madvise"],
           tot["brk"], dict(Counter(x for s in exits.values() for x in s))))
    for b in bad[:30]:
        print("FAIL " + b)
    if len(bad) > 30:
        print("FAIL ... and %d more" % (len(bad) - 30))
    if not bad:
        print("capture ok")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
