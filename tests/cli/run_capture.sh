#!/usr/bin/env bash
# End-to-end checks of capture: stats and report of a capture folder built
# here (per-process traces with interleaved seqs, a cut record, a partial
# record), usage errors, and avshadow run with a stand-in recorder library
# (built here with cc when there is one): exits of killed and orphaned
# processes, signal forwarding, a static program refused, a missing library.
# usage: run_capture.sh AVSHADOW SOURCE_DIR
set -u
AVS=$1
SRC=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0

check() { # name, condition (a command)
  local name=$1; shift
  if "$@"; then echo "ok   $name"; else echo "FAIL $name"; fails=$((fails + 1)); fi
}
skip() { echo "skip $1: $2"; }

run() { # run the command, keep status, stdout, stderr
  "$AVS" "$@" >"$T/out" 2>"$T/err"; echo $? >"$T/rc"
}
rc() { [ "$(cat "$T/rc")" = "$1" ]; }
err_has() { grep -q -- "$1" "$T/err"; }
out_has() { grep -q -- "$1" "$T/out"; }
json() { # python expression on the JSON of stdout as j
  python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert '"$1"', j' "$T/out"
}

# ---- a capture folder: 100 forks 101, which execs ----
D=$T/cap
mkdir "$D"
cat >"$T/100.txt" <<'EOF'
@1 start 100 comm=parent
@2 mmap 100 0x7f0000000000-0x7f0000004000 rw-p anon
@3 fault 100 0x7f0000000000 w
@4 fork 100 101
@7 munmap 100 0x7f0000003000-0x7f0000004000
@8 fault 100 0x7f0000001000 w
@12 checkpoint 100 done
EOF
cat >"$T/101.txt" <<'EOF'
@5 fault 101 0x7f0000002000 w inferred
@6 start 101 comm=child
@9 mmap 101 0x1000-0x2000 rw-p anon failed
@10 mmap 101 0x7f1000000000-0x7f1000001000 rw-p anon runtime
@11 fault 101 0x7f1000000000 w
EOF
cat >"$T/exits.txt" <<'EOF'
@13 exit 101 status=-9
@14 exit 100
@15 exit 100
EOF
"$AVS" convert --to binary "$T/100.txt" "$D/100-1.trace"
"$AVS" convert --to binary "$T/101.txt" "$D/101-5.trace"
"$AVS" convert --to binary "$T/exits.txt" "$D/exits.trace"
# 100's munmap (after the header and 4 records of 64, 88, 48 and 40
# bytes) cut by a crash
printf '\x55' | dd of="$D/100-1.trace" bs=1 seek=$((32 + 64 + 88 + 48 + 40 + 40)) conv=notrunc status=none
# 101's trace ends in the middle of its last record
size=$(stat -c %s "$D/101-5.trace")
truncate -s $((size - 16)) "$D/101-5.trace"
printf '\0\0\0\0\0\0\0\0' >"$D/seq"

run stats "$D"
check "stats: folder accounting" json 'j["form"]=="folder" and j["files_read"]==3 and j["records_skipped"]==1 and j["truncated_files"]==1 and j["starts_read_as_exec"]==1 and j["exits_dropped"]==1'
check "stats: per file" json '[(f["name"],f["records"],f["skipped"],f["truncated"]) for f in j["files"]]==[("100-1.trace",6,1,False),("101-5.trace",4,0,True),("exits.trace",3,0,False)]'
check "stats: kinds and flags" json 'j["events"]==12 and j["direct"]==11 and j["inferred"]==1 and j["runtime"]==1 and j["failed"]==1 and j["kinds"]["exec"]==1 and j["kinds"]["start"]==1 and j["kinds"]["exit"]==2 and j["kinds"]["munmap"]==0'
check "stats: per process" json '[(p["pid"],p["name"],p["events"],p["inferred"]) for p in j["processes"]]==[(100,"parent",7,0),(101,"child",5,1)] and j["processes"][1]["kinds"]=={"exec":1,"exit":1,"fault":1,"mmap":2}'

run stats "$SRC/examples/lwn-2010.events"
check "stats of a text stream" json 'j["form"]=="text" and j["files_read"]==1 and j["events"]>10 and j["records_skipped"]==0'

run report "$D"
check "report: the state at the peak by default" eval 'rc 0 && out_has "state at the peak: after event"'
run report --at-end "$D"
check "report: capture line, damaged files, summary" \
  eval 'rc 0 && out_has "capture $D: 3 trace files, 12 events (1 start read as exec, 1 exit of no live process dropped); 1 cut record skipped, 1 truncated file" && out_has "100-1.trace: 1 cut record skipped" && out_has "101-5.trace: truncated" && out_has "avshadow summary" && out_has "events           12" && err_has "warning: $D: 1 cut record skipped, 1 truncated file"'
check "report: no event misfits the shadow" out_has "(0 did not fit the shadow)"
run report --model linux-2.6.33 --model linux-6.18 "$D"
check "report with two models: one column each" \
  eval 'rc 0 && out_has "under 2 rule sets" && grep -Eq "rule set +linux-2.6.33 +linux-6.18" "$T/out"'
run replay "$D"
check "replay takes a folder too" eval 'rc 0 && out_has "events           12"'
run report "$SRC/examples/lwn-2010.events"
check "report of a single stream: the replay summary" \
  eval 'rc 0 && out_has "avshadow summary" && ! out_has "capture"'

# usage errors and missing inputs
run stats;                 check "stats without input: usage" eval 'rc 2 && err_has usage'
run stats --bogus "$D";    check "stats unknown option: usage" eval 'rc 2 && err_has usage'
run report --nope "$D";    check "report unknown option: usage" eval 'rc 2 && err_has usage'
run report --model nope "$D"; check "report unknown model" eval 'rc 2 && err_has "unknown model"'
run run --nope true;       check "run unknown option: usage" eval 'rc 2 && err_has usage'
run run;                   check "run without program: usage" eval 'rc 2 && err_has usage'
run stats "$T/missing";    check "stats of a missing folder" eval 'rc 2 && err_has "No such file"'
run report "$T/missing";   check "report of a missing folder" eval 'rc 2 && err_has "No such file"'
mkdir "$T/empty"
run report "$T/empty";     check "report of a folder without traces" eval 'rc 2 && err_has "no \*.trace files"'
cp -r "$D" "$T/bad"; printf 'NOTATRACE and more bytes to fill a header' >"$T/bad/9-9.trace"
run stats "$T/bad";        check "a file that is not a trace: named" eval 'rc 2 && err_has "9-9.trace: bad magic"'

# ---- avshadow run ----
run_env() { # like run, with an environment assignment first
  env "$@" >"$T/out" 2>"$T/err"; echo $? >"$T/rc"
}
run_env AVSHADOW_LIB="$T/nonexistent.so" "$AVS" run -o "$T/r0" -- true
check "run: missing library is a clear error, nothing created" \
  eval 'rc 2 && err_has "recorder library is missing: AVSHADOW_LIB=$T/nonexistent.so: No such file" && [ ! -e "$T/r0" ]'

CC=$(command -v cc || command -v gcc || true)
if [ -z "$CC" ]; then
  skip "run with a stand-in recorder" "no C compiler"
else
  LIB=$T/lib/libavshadow.so
  mkdir "$T/lib"
  cat >"$T/lib/fake.c" <<'EOF'
/* A stand-in for libavshadow.so: each new image writes its trace, a
 * start, an anonymous mapping and a write fault, stamped from DIR/seq as
 * runtime/out.c does (the counter after the increment). */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "shadow/event_bin.h"

__attribute__((constructor)) static void fake_record(void)
{
	const char *dir = getenv("AVSHADOW_OUT");
	unsigned char buf[512];
	char path[4096];
	struct avs_event ev[3];
	uint64_t *seq;
	size_t n = AVS_TRACE_HEADER_SIZE, i;
	int fd;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/seq", dir);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return;
	seq = mmap(NULL, 8, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (seq == MAP_FAILED)
		return;
	memset(ev, 0, sizeof(ev));
	ev[0].type = AVS_EV_START;
	ev[0].u.start.ppid = (uint32_t)getppid();
	ev[0].str = "fake";
	ev[0].str_len = 4;
	ev[1].type = AVS_EV_MMAP;
	ev[1].u.mmap.start = 0x7f0000000000;
	ev[1].u.mmap.end = 0x7f0000004000;
	ev[1].u.mmap.prot = 3;
	ev[1].u.mmap.flags = 0x22;
	ev[2].type = AVS_EV_FAULT;
	ev[2].u.fault.addr = 0x7f0000000000;
	ev[2].u.fault.access = 1;
	avs_trace_header_init(buf);
	for (i = 0; i < 3; i++) {
		ev[i].pid = (uint32_t)getpid();
		ev[i].seq = __atomic_fetch_add(seq, 1, __ATOMIC_SEQ_CST) + 1;
		n += avs_event_encode(&ev[i], buf + n, sizeof(buf) - n);
	}
	snprintf(path, sizeof(path), "%s/%d-%llu.trace", dir, (int)getpid(),
		 (unsigned long long)ev[0].seq);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0) {
		if (write(fd, buf, n) < 0)
			_exit(99);
		close(fd);
	}
	munmap(seq, 8);
}
EOF
  # no sanitizer flags: the library is preloaded into plain programs
  if ! "$CC" -shared -fPIC -O -I"$SRC" -o "$LIB" "$T/lib/fake.c" \
       "$SRC/shadow/event_bin.c" "$SRC/shadow/crc32c.c" 2>"$T/cc.err"; then
    cat "$T/cc.err"
    check "stand-in recorder builds" false
  else
    export AVSHADOW_LIB=$LIB
    exits() { "$AVS" convert --to text "$1/exits.trace" "$T/exits.out" && grep -c '^@[0-9]* exit' "$T/exits.out"; }

    run run -o "$T/r1" -- sh -c '/bin/true; /bin/true; exit 5'
    check "run: the program's status, folder and report named" \
      eval 'rc 5 && err_has "capture in $T/r1, report in $T/r1/report.txt"'
    check "run: one trace per image, exits, seq, report" \
      eval '[ $(ls "$T/r1"/*-*.trace | wc -l) = 3 ] && [ -s "$T/r1/exits.trace" ] && [ $(stat -c %s "$T/r1/seq") = 8 ] && grep -q "avshadow summary" "$T/r1/report.txt" && grep -q "capture $T/r1: 4 trace files, 12 events" "$T/r1/report.txt"'
    check "run: the folder is private" eval '[ "$(stat -c %a "$T/r1")" = 700 ]'
    "$AVS" stats "$T/r1" >"$T/out"
    check "run: stats of the capture: three processes" \
      json 'j["events"]==12 and j["kinds"]["exit"]==3 and j["kinds"]["start"]==3 and len(set(p["pid"] for p in j["processes"]))==3'

    run run -o "$T/r1" -- true
    check "run: refuses a non-empty folder" eval 'rc 2 && err_has "exists and is not empty"'

    run run -o "$T/r2" -- sh -c 'kill -9 $$'
    check "run: killed program: 128+9, exit status=-9 recorded" \
      eval 'rc 137 && exits "$T/r2" >/dev/null && grep -q "exit [0-9]* status=-9" "$T/exits.out"'

    run run -o "$T/r3" -- sh -c '(sleep 0.3 &); exit 0'
    check "run: an orphan is reaped and its exit recorded" \
      eval 'rc 0 && [ "$(exits "$T/r3")" = 2 ] && err_has "waiting for its remaining descendants"'

    "$AVS" run -o "$T/r4" -- sh -c 'trap "exit 9" TERM; sleep 30 & wait' >"$T/out" 2>"$T/err" &
    L=$!
    sleep 0.5; kill -TERM $L          # forwarded: the program exits 9
    sleep 0.5; kill -TERM $L          # then what is left is stopped
    wait $L; echo $? >"$T/rc"
    check "run: SIGTERM forwarded, leftovers stopped, program's status" \
      eval 'rc 9 && [ "$(exits "$T/r4")" = 2 ] && grep -q "status=-15" "$T/exits.out"'

    run run -o "$T/r5" -- "$T/no-such-program"
    check "run: a missing program: 127, no folder" \
      eval 'rc 127 && err_has "not found" && [ ! -e "$T/r5" ]'

    if printf 'int main(void) { return 0; }\n' >"$T/s.c" &&
       "$CC" -static -o "$T/static" "$T/s.c" 2>/dev/null; then
      run run -o "$T/r6" -- "$T/static"
      check "run: a static program is refused before running" \
        eval 'rc 2 && err_has "cannot be preloaded: static" && [ ! -e "$T/r6" ]'
    else
      skip "static program refused" "no static libc (libc.a, package libc6-dev)"
    fi

    if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
      cp /bin/true "$T/suid" && chown nobody "$T/suid" && chmod u+s "$T/suid"
      run run -o "$T/r7" -- "$T/suid"
      check "run: a set-uid program is refused" \
        eval 'rc 2 && err_has "cannot be preloaded: set-uid" && [ ! -e "$T/r7" ]'
    else
      skip "set-uid program refused" "needs root to make one"
    fi
    unset AVSHADOW_LIB
  fi
fi

echo "$fails failure(s)"
[ "$fails" -eq 0 ]
