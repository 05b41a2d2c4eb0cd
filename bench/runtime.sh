#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Lifecycle cost of nestrun beside runc and crun, in one run, interleaved.
#
#   bench/runtime.sh [-n N] [-o FILE] [-e LABEL=PATH]...
#
#   -n N          iterations (default 100); each iteration, for every runtime row:
#                 one `run` of /bin/true, then create / start / delete of another
#   -o FILE       results file (default bench/results/runtime-<date>.md)
#   -e LABEL=PATH an extra nestrun-compatible binary measured as its own row in
#                 both views (e.g. -e static=/tmp/b-static/nestrun, or an older build
#                 to compare before/after in one run)
#   NESTRUN=path  the nestrun under test; otherwise built out of tree in
#                 $BUILD_DIR (default /tmp/nestrun-bench-build)
#   RUNC, CRUN    the other runtimes (default: from PATH)
#
# Rows.  "host" is this machine's own view (on this VM: hybrid cgroups, v1
# controllers and an empty cgroup2 at /sys/fs/cgroup/unified), cgroups on.
# "v2" is a private mount namespace whose /sys/fs/cgroup is a cgroup2 mount of
# the (controller-less) unified hierarchy: the only view crun 1.8.1 accepts here.
# A runtime that fails its probe `run` in a view is reported as not measured,
# with its error; crun's fallback in the v2 view is --cgroup-manager=disabled.
#
# Phases (wall time of the runtime process, from fork to its reaping):
#   run     `run --bundle B ID` of /bin/true in the foreground: create, start,
#           wait for exit, delete, all in the one command
#   create  `create --bundle B --pid-file F ID` returns (container "created")
#   start   `start ID` returns (runc/crun: after the exec fifo is opened;
#           nestrun: after the init closed its start socket by exec)
#   delete  `delete ID`, after the container's process has exited and was reaped
# Peak RSS is ru_maxrss from wait4() on the runtime process: the maximum over
# that process and the descendants it reaped itself (for `run`: the container's
# init too, up to and including its exec of /bin/true).  The init a `create`
# leaves behind is not the runtime's child, so it is reported on its own:
# VmHWM of /proc/<init>/status while the container is "created" (pre-exec).
#
# Every container, cgroup, mount and temp dir the bench makes is removed on exit,
# also on Ctrl-C.  Needs root.
set -euo pipefail

SELF=$(readlink -f "$0")
SRCDIR=$(dirname "$(dirname "$SELF")")

# ----------------------------------------------------------------------------
# The helper: timing + rusage of one command, a subreaper, a wait for a pid.
write_helper() {
	cat >"$1" <<'EOF'
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now (void)
{
  struct timespec t;
  clock_gettime (CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int code (int st)
{
  return WIFEXITED (st) ? WEXITSTATUS (st) : 128 + WTERMSIG (st);
}

/* time OUT PREFIX NSFILE|- CMD...: append "PREFIX ns maxrss_kb status" to OUT */
static int do_time (char **a)
{
  int ns = -1;
  if (strcmp (a[2], "-") != 0 && (ns = open (a[2], O_RDONLY | O_CLOEXEC)) < 0)
    return perror (a[2]), 125;
  long long t0 = now ();
  pid_t p = fork ();
  if (p == 0)
    {
      if (ns >= 0 && setns (ns, CLONE_NEWNS) < 0)
        _exit (126);
      execvp (a[3], a + 3);
      _exit (127);
    }
  int st;
  struct rusage ru;
  while (wait4 (p, &st, 0, &ru) < 0)
    if (errno != EINTR)
      return 125;
  long long t1 = now ();
  FILE *f = fopen (a[0], "a");
  if (f == NULL)
    return 125;
  fprintf (f, "%s %lld %ld %d\n", a[1], t1 - t0, ru.ru_maxrss, code (st));
  fclose (f);
  return code (st);
}

/* reap CMD...: run CMD as a subreaper, reaping what it orphans (containers) */
static int do_reap (char **a)
{
  prctl (PR_SET_CHILD_SUBREAPER, 1);
  pid_t p = fork ();
  if (p == 0)
    {
      execvp (a[0], a);
      _exit (127);
    }
  signal (SIGINT, SIG_IGN); /* outlive the Ctrl-C: the script's cleanup kills containers */
  signal (SIGTERM, SIG_IGN);
  int st, ret = 125;
  for (;;)
    {
      int s;
      pid_t w = wait (&s);
      if (w == p)
        {
          ret = code (s);
          alarm (5); /* then a last sweep of what is still dying */
        }
      if (w < 0 && errno == ECHILD)
        break;
      (void) st;
    }
  return ret;
}

/* gone PID: wait (up to 10 s) until the process no longer exists */
static int do_gone (char **a)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/%s", a[0]);
  for (int i = 0; i < 50000; i++)
    {
      if (access (path, F_OK) < 0)
        return 0;
      usleep (200);
    }
  return 1;
}

int main (int argc, char **argv)
{
  if (argc >= 6 && strcmp (argv[1], "time") == 0)
    return do_time (argv + 2);
  if (argc >= 3 && strcmp (argv[1], "reap") == 0)
    return do_reap (argv + 2);
  if (argc == 3 && strcmp (argv[1], "gone") == 0)
    return do_gone (argv + 2);
  fprintf (stderr, "usage: nrb time OUT PREFIX NSFILE|- CMD... | reap CMD... | gone PID\n");
  return 125;
}
EOF
}

# ----------------------------------------------------------------------------
# Rows: one line each in $W/rows, "k<TAB>view<TAB>label<TAB>cmd words...".
row_field() { cut -f"$2" <<<"$1"; }

# Runs a runtime command of row line $1 (rest: the command), in its view, untimed.
row_exec() {
	local line=$1
	shift
	local view cmd
	view=$(row_field "$line" 2)
	read -r -a cmd <<<"$(row_field "$line" 4)"
	if [ "$view" = v2 ]; then
		nsenter --mount="$W/ns/mnt" -- "${cmd[@]}" --root "$W/root-$(row_field "$line" 1)" "$@"
	else
		"${cmd[@]}" --root "$W/root-$(row_field "$line" 1)" "$@"
	fi
}

# Deletes every container of every row (runs under the reaper).
containers_cleanup() {
	local line d
	[ -f "$W/rows" ] || return 0
	while IFS= read -r line; do
		for d in "$W/root-$(row_field "$line" 1)"/*/; do
			[ -d "$d" ] || continue
			row_exec "$line" delete --force "$(basename "$d")" </dev/null >/dev/null 2>&1 || true
		done
	done <"$W/rows"
}

# The measuring loop: run by `nrb reap`, so that containers whose `create` exited
# are reaped by us (as by containerd's shim), not left as zombies of pid 1.
measure() {
	local n=$1 i j k line view label cmd ns cg id pid hwm nrows
	local -a rows tpl
	trap containers_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	mapfile -t rows <"$W/rows"
	nrows=${#rows[@]}
	for ((j = 0; j < nrows; j++)); do
		tpl[j]=$(<"$W/b-$(row_field "${rows[j]}" 1)/config.tpl")
	done
	for ((i = 1; i <= n; i++)); do
		# rotate the order every iteration: drift and "who runs after whom" spread evenly
		for ((jj = 0; jj < nrows; jj++)); do
			j=$(((jj + i) % nrows))
			line=${rows[j]}
			k=$(row_field "$line" 1)
			view=$(row_field "$line" 2)
			read -r -a cmd <<<"$(row_field "$line" 4)"
			ns=-
			[ "$view" = v2 ] && ns="$W/ns/mnt"
			local b="$W/b-$k" r=(--root "$W/root-$k") t=("$W/nrb" time "$W/samples")

			cg="/$TAG/$k-$i-run"
			printf '%s' "${tpl[j]//@CG@/$cg}" >"$b/config.json"
			id="nrb-$k-$i-run"
			"${t[@]}" "$k run $i" "$ns" "${cmd[@]}" "${r[@]}" run --bundle "$b" "$id" \
				</dev/null >/dev/null 2>>"$W/log-$k" || fail_iter "$line" "$id" run

			cg="/$TAG/$k-$i"
			printf '%s' "${tpl[j]//@CG@/$cg}" >"$b/config.json"
			id="nrb-$k-$i"
			rm -f "$W/pid"
			if ! "${t[@]}" "$k create $i" "$ns" "${cmd[@]}" "${r[@]}" create --bundle "$b" --pid-file "$W/pid" "$id" \
				</dev/null >/dev/null 2>>"$W/log-$k"; then
				fail_iter "$line" "$id" create
				continue
			fi
			pid=$(<"$W/pid")
			hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")
			echo "$k hwm $i 0 $hwm 0" >>"$W/samples"
			"${t[@]}" "$k start $i" "$ns" "${cmd[@]}" "${r[@]}" start "$id" \
				</dev/null >/dev/null 2>>"$W/log-$k" || fail_iter "$line" "$id" start
			"$W/nrb" gone "$pid" || fail_iter "$line" "$id" exit
			"${t[@]}" "$k delete $i" "$ns" "${cmd[@]}" "${r[@]}" delete "$id" \
				</dev/null >/dev/null 2>>"$W/log-$k" || fail_iter "$line" "$id" delete
		done
		if ((i % 10 == 0)); then
			echo "  $i/$n" >&2
		fi
	done
}

fail_iter() {
	echo "$(row_field "$1" 3) ($(row_field "$1" 2)): $3 of $2 failed, see below" >&2
	tail -n 3 "$W/log-$(row_field "$1" 1)" >&2 || true
	row_exec "$1" delete --force "$2" </dev/null >/dev/null 2>&1 || true
	echo "$(row_field "$1" 1) fail-$3 0 0 0 1" >>"$W/samples"
}

# Internal entry points, run under `nrb reap`.
case "${1:-}" in
__measure)
	W=$2 TAG=$3
	measure "$4"
	exit 0
	;;
__cleanup)
	W=$2
	containers_cleanup
	exit 0
	;;
__row_exec)
	W=$2
	shift 2
	row_exec "$@"
	exit
	;;
esac

# ----------------------------------------------------------------------------
N=100
OUT=
EXTRA=()
while getopts "n:o:e:h" opt; do
	case $opt in
	n) N=$OPTARG ;;
	o) OUT=$OPTARG ;;
	e) EXTRA+=("$OPTARG") ;;
	*)
		sed -n '4,16p' "$SELF" | sed 's/^# \{0,1\}//'
		exit 2
		;;
	esac
done
[ "$(id -u)" = 0 ] || {
	echo "runtime.sh: needs root" >&2
	exit 1
}
DATE=$(date +%F)
OUT=${OUT:-$SRCDIR/bench/results/runtime-$DATE.md}
RUNC=${RUNC:-$(command -v runc || true)}
CRUN=${CRUN:-$(command -v crun || true)}

if [ -z "${NESTRUN:-}" ]; then
	BUILD_DIR=${BUILD_DIR:-/tmp/nestrun-bench-build}
	mkdir -p "$BUILD_DIR"
	echo "building nestrun in $BUILD_DIR" >&2
	(cd "$BUILD_DIR" && { [ -f Makefile ] || "$SRCDIR/configure" -q; } && make -s -j"$(nproc)" nestrun) >&2
	NESTRUN=$BUILD_DIR/nestrun
fi
NESTRUN=$(readlink -f "$NESTRUN")

W=$(mktemp -d /tmp/nrbench.XXXXXX)
TAG=$(basename "$W")

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [ -x "$W/nrb" ]; then
		"$W/nrb" reap bash "$SELF" __cleanup "$W" || true
	fi
	# cgroups: children first, in every hierarchy (the v2 view's are in unified/)
	local d
	for d in /sys/fs/cgroup/*/"$TAG" /sys/fs/cgroup/"$TAG"; do
		[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	if mountpoint -q "$W/ns/mnt" 2>/dev/null; then umount "$W/ns/mnt"; fi
	if mountpoint -q "$W/ns" 2>/dev/null; then umount "$W/ns"; fi
	grep -q " $W" /proc/self/mountinfo && echo "runtime.sh: mounts left under $W" >&2
	rm -rf "$W"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

write_helper "$W/nrb.c"
cc -O2 -Wall -o "$W/nrb" "$W/nrb.c"

# A busybox-static rootfs: /bin/true is busybox.
BUSYBOX=${BUSYBOX:-/bin/busybox}
if readelf -l "$BUSYBOX" 2>/dev/null | grep -q 'program interpreter'; then
	echo "runtime.sh: $BUSYBOX is not static (apt-get install busybox-static)" >&2
	exit 1
fi
mkdir -p "$W/rootfs/bin" "$W/rootfs/proc" "$W/rootfs/dev" "$W/rootfs/sys" "$W/rootfs/tmp"
cp "$BUSYBOX" "$W/rootfs/bin/busybox"
ln -s busybox "$W/rootfs/bin/true"
ln -s busybox "$W/rootfs/bin/sh"

# The cgroup2-only view: a private mount namespace kept in a file.
V2_NOTE=
mkdir "$W/ns"
if mount --bind "$W/ns" "$W/ns" && mount --make-private "$W/ns" && touch "$W/ns/mnt" &&
	unshare --mount="$W/ns/mnt" --propagation private mount -t cgroup2 none /sys/fs/cgroup 2>"$W/ns.err"; then
	:
else
	V2_NOTE="cgroup2-only view unavailable: $(cat "$W/ns.err" 2>/dev/null)"
	rm -f "$W/ns/mnt"
fi

# Candidate rows: view, label, command words.  crun first tries cgroups on.
CANDIDATES=("host	nestrun	$NESTRUN")
[ -n "$RUNC" ] && CANDIDATES+=("host	runc	$RUNC")
[ -n "$CRUN" ] && CANDIDATES+=("host	crun	$CRUN")
for e in "${EXTRA[@]}"; do CANDIDATES+=("host	${e%%=*}	$(readlink -f "${e#*=}")"); done
if [ -e "$W/ns/mnt" ]; then
	CANDIDATES+=("v2	nestrun	$NESTRUN")
	[ -n "$RUNC" ] && CANDIDATES+=("v2	runc	$RUNC")
	[ -n "$CRUN" ] && CANDIDATES+=("v2	crun	$CRUN" "v2	crun (cgroups disabled)	$CRUN --cgroup-manager=disabled")
	for e in "${EXTRA[@]}"; do CANDIDATES+=("v2	${e%%=*}	$(readlink -f "${e#*=}")"); done
fi

# Bundles and probes: a row is measured only if one `run` works in its view.
NOTES=()
: >"$W/rows"
k=0
have_crun_v2=
for c in "${CANDIDATES[@]}"; do
	IFS=$'\t' read -r view label cmdline <<<"$c"
	[ "$label" = "crun (cgroups disabled)" ] && [ -n "$have_crun_v2" ] && continue
	k=$((k + 1))
	line="$k	$view	$label	$cmdline"
	b="$W/b-$k"
	mkdir -p "$b" "$W/root-$k"
	read -r -a cmd <<<"$cmdline"
	(cd "$b" && "${cmd[0]}" spec) || {
		NOTES+=("$label: \`spec\` failed")
		continue
	}
	jq --arg root "$W/rootfs" '.process.terminal = false | .process.args = ["/bin/true"]
		| .root.path = $root | .linux.cgroupsPath = "@CG@"' "$b/config.json" >"$b/config.tpl"
	sed "s|@CG@|/$TAG/$k-probe|" "$b/config.tpl" >"$b/config.json"
	if "$W/nrb" reap bash "$SELF" __row_exec "$W" "$line" run --bundle "$b" "nrb-probe-$k" \
		</dev/null >/dev/null 2>"$W/probe-$k"; then
		echo "$line" >>"$W/rows"
		[ "$view/$label" = v2/crun ] && have_crun_v2=1
	else
		NOTES+=("$label in the $view view: not measured: \`run\` fails: $(grep -v '^$' "$W/probe-$k" | tail -n 1)")
	fi
done
echo "rows:" >&2
cut -f2,3 "$W/rows" | sed 's/^/  /' >&2

# ----------------------------------------------------------------------------
echo "measuring: $N iterations" >&2
: >"$W/samples"
T0=$(date +%s)
"$W/nrb" reap bash "$SELF" __measure "$W" "$TAG" "$N"
ELAPSED=$(($(date +%s) - T0))

# ----------------------------------------------------------------------------
# Statistics: "k phase i ns rss status" -> median/min (ms), median rss (MiB).
stat_of() { # k phase field(2=ns,3=rss) fn(med|min)
	awk -v k="$1" -v p="$2" -v f="$3" '$1 == k && $2 == p && $6 == 0 { print $(f + 2) }' "$W/samples" | sort -n |
		awk -v fn="$4" -v div="$([ "$3" = 2 ] && echo 1000000 || echo 1024)" '
			{ v[NR] = $1 }
			END {
				if (NR == 0) { print "-"; exit }
				if (fn == "min") x = v[1]
				else if (NR % 2) x = v[(NR + 1) / 2]
				else x = (v[NR / 2] + v[NR / 2 + 1]) / 2
				printf "%.1f\n", x / div
			}'
}
count_of() { awk -v k="$1" -v p="$2" '$1 == k && $2 == p' "$W/samples" | wc -l; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f×\n", a / b }'; }

key_of() { awk -F'\t' -v v="$1" -v l="$2" '$2 == v && $3 == l { print $1 }' "$W/rows"; }
runc_host=$(key_of host runc)
runc_v2=$(key_of v2 runc)
crun_v2=$(key_of v2 crun)
[ -n "$crun_v2" ] || crun_v2=$(key_of v2 "crun (cgroups disabled)")

{
	echo "# Runtime lifecycle benchmark, $DATE"
	echo
	echo "$N iterations, interleaved round-robin (order rotated each iteration), ${ELAPSED}s."
	echo "Machine: $(nproc) CPUs, kernel $(uname -r); cgroups: $(
		if [ -d /sys/fs/cgroup/unified ]; then echo "hybrid (v1 controllers + cgroup2 at /sys/fs/cgroup/unified)"
		elif [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then echo v2
		else echo v1; fi)."
	echo "nestrun: $NESTRUN ($("$NESTRUN" --version | head -n1 | sed 's/nestrun version //')$(
		git -C "$SRCDIR" describe --always --dirty 2>/dev/null | sed 's/^/, tree /'); $(
		file -b "$NESTRUN" | grep -o 'statically linked\|dynamically linked'))"
	[ -n "$RUNC" ] && echo "runc: $("$RUNC" --version | head -n1)"
	[ -n "$CRUN" ] && echo "crun: $("$CRUN" --version | head -n1)"
	for e in "${EXTRA[@]}"; do echo "${e%%=*}: $(readlink -f "${e#*=}")"; done
	echo
	echo "Views: **host** = this machine's mounts, cgroups on (a cgroup per container in every"
	echo "v1 hierarchy, cgroupsPath /$TAG/…); **v2** = a private mount namespace where"
	echo "/sys/fs/cgroup is a cgroup2 mount of the controller-less unified hierarchy."
	echo
	echo "## Wall time, ms (median / min)"
	echo
	echo "| view | runtime | run | create | start | delete | create+start+delete | run vs runc | run vs crun |"
	echo "|---|---|---|---|---|---|---|---|---|"
	while IFS=$'\t' read -r k view label _; do
		rmed=$(stat_of "$k" run 2 med)
		csd=$(awk -v a="$(stat_of "$k" create 2 med)" -v b="$(stat_of "$k" start 2 med)" -v c="$(stat_of "$k" delete 2 med)" \
			'BEGIN { if (a == "-" || b == "-" || c == "-") print "-"; else printf "%.1f\n", a + b + c }')
		rr=$([ "$view" = v2 ] && echo "$runc_v2" || echo "$runc_host")
		vs_runc=$([ -n "$rr" ] && ratio "$rmed" "$(stat_of "$rr" run 2 med)" || echo "-")
		vs_crun=$([ -n "$crun_v2" ] && ratio "$rmed" "$(stat_of "$crun_v2" run 2 med)" || echo "-")
		[ "$view" = host ] && [ "$vs_crun" != "-" ] && vs_crun="$vs_crun (crun in v2)"
		printf '| %s | %s | %s / %s | %s / %s | %s / %s | %s / %s | %s | %s | %s |\n' "$view" "$label" \
			"$rmed" "$(stat_of "$k" run 2 min)" \
			"$(stat_of "$k" create 2 med)" "$(stat_of "$k" create 2 min)" \
			"$(stat_of "$k" start 2 med)" "$(stat_of "$k" start 2 min)" \
			"$(stat_of "$k" delete 2 med)" "$(stat_of "$k" delete 2 min)" "$csd" "$vs_runc" "$vs_crun"
	done <"$W/rows"
	echo
	echo "## Peak RSS, MiB (median)"
	echo
	echo "| view | runtime | run | create (runtime) | init while created | start | delete | run RSS vs crun |"
	echo "|---|---|---|---|---|---|---|---|"
	while IFS=$'\t' read -r k view label _; do
		vs=$([ -n "$crun_v2" ] && ratio "$(stat_of "$k" run 3 med)" "$(stat_of "$crun_v2" run 3 med)" || echo "-")
		printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$view" "$label" "$(stat_of "$k" run 3 med)" \
			"$(stat_of "$k" create 3 med)" "$(stat_of "$k" hwm 3 med)" "$(stat_of "$k" start 3 med)" \
			"$(stat_of "$k" delete 3 med)" "$vs"
	done <"$W/rows"
	echo
	fails=$(awk '$2 ~ /^fail-/' "$W/samples" | wc -l)
	echo "Failures: $fails."
	for n in "${NOTES[@]}"; do echo "- $n"; done
	[ -n "$V2_NOTE" ] && echo "- $V2_NOTE"
	echo
	echo "Targets (issue 2): median \`run\` ≤ crun's and ≤ 0.25× runc's with cgroups on; peak RSS ≤ crun's."
	echo "Peak RSS = ru_maxrss of the runtime process and the children it reaped (for \`run\`"
	echo "that includes the container's init up to its exec); \"init while created\" = VmHWM of"
	echo "the init a \`create\` left waiting for \`start\`."
} >"$W/report.md"

mkdir -p "$(dirname "$OUT")"
cp "$W/report.md" "$OUT"
cat "$W/report.md"
echo >&2
echo "written to $OUT" >&2
if [ -n "$(awk '$2 ~ /^fail-/' "$W/samples")" ]; then
	exit 1
fi
