#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Lifecycle cost of nestrun beside runc and crun, in one run, interleaved.
#
#   bench/runtime.sh [-n N] [-s DIR|tmpfs] [-v host|v2] [-o FILE] [-e LABEL=PATH]...
#
#   -n N          iterations (default 100); each iteration, for every runtime row:
#                 one `run` of /bin/true, then create / start / delete of another
#   -s DIR|tmpfs  where the runtimes' state roots go (--root): a fresh directory
#                 under DIR (default /run, the runtimes' own default place), or a
#                 private tmpfs
#   -o FILE       results file (default bench/results/runtime-<date>.md)
#   -v host|v2    measure only that view (default: both)
#   -e LABEL=PATH an extra nestrun-compatible binary measured as its own row in
#                 both views (e.g. -e static=/tmp/b-static/nestrun, or an older build
#                 to compare before/after in one run)
#   NESTRUN=path  the nestrun under test; otherwise built out of tree in
#                 $BUILD_DIR (default /tmp/nestrun-bench-build)
#   NESTRUN_STATIC=path|none  the --enable-static build, measured as its own row
#                 ("nestrun static"); otherwise built in $BUILD_DIR-static
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

/* time OUT PREFIX NSFILE|- CMD...: append "PREFIX ns maxrss_kb status cpu_us" to OUT */
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
  long cpu_us = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000L + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
  fprintf (f, "%s %lld %ld %d %ld\n", a[1], t1 - t0, ru.ru_maxrss, code (st), cpu_us);
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
  int ret = 125;
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
		nsenter --mount="$W/ns/mnt" -- "${cmd[@]}" --root "$STATE/root-$(row_field "$line" 1)" "$@"
	else
		"${cmd[@]}" --root "$STATE/root-$(row_field "$line" 1)" "$@"
	fi
}

# Deletes every container of every row (runs under the reaper).
containers_cleanup() {
	local line d
	[ -f "$W/rows" ] || return 0
	while IFS= read -r line; do
		for d in "$STATE/root-$(row_field "$line" 1)"/*/; do
			[ -d "$d" ] || continue
			row_exec "$line" delete --force "$(basename "$d")" </dev/null >/dev/null 2>&1 || true
		done
	done <"$W/rows"
}

# The measuring loop: run by `nrb reap`, so that containers whose `create` exited
# are reaped by us (as by containerd's shim), not left as zombies of pid 1.
measure() {
	local n=$1 i j jj k line cg id pid hwm key val nrows b ns
	local -a rows tpl keys nss cmdlines cmd r t
	trap containers_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	mapfile -t rows <"$W/rows"
	nrows=${#rows[@]}
	# everything per row up front: no forks in the loop but the measured ones
	for ((j = 0; j < nrows; j++)); do
		IFS=$'\t' read -r 'keys[j]' val _ 'cmdlines[j]' <<<"${rows[j]}"
		nss[j]=-
		[ "$val" = v2 ] && nss[j]="$W/ns/mnt"
		tpl[j]=$(<"$W/b-${keys[j]}/config.tpl")
	done
	t=("$W/nrb" time "$W/samples")
	for ((i = 1; i <= n; i++)); do
		# rotate the order every iteration: drift and "who runs after whom" spread evenly
		for ((jj = 0; jj < nrows; jj++)); do
			j=$(((jj + i) % nrows))
			line=${rows[j]} k=${keys[j]} ns=${nss[j]} b="$W/b-${keys[j]}"
			read -r -a cmd <<<"${cmdlines[j]}"
			r=(--root "$STATE/root-$k")

			cg="/$TAG/$k-$i-run"
			printf '%s' "${tpl[j]//@CG@/$cg}" >"$b/config.json"
			id="nrb-$k-$i-run"
			"${t[@]}" "$k run $i" "$ns" "${cmd[@]}" "${r[@]}" run --bundle "$b" "$id" \
				</dev/null >/dev/null 2>>"$W/log-$k" || fail_iter "$line" "$id" run

			cg="/$TAG/$k-$i"
			printf '%s' "${tpl[j]//@CG@/$cg}" >"$b/config.json"
			id="nrb-$k-$i"
			: >"$W/pid"
			if ! "${t[@]}" "$k create $i" "$ns" "${cmd[@]}" "${r[@]}" create --bundle "$b" --pid-file "$W/pid" "$id" \
				</dev/null >/dev/null 2>>"$W/log-$k"; then
				fail_iter "$line" "$id" create
				continue
			fi
			pid=$(<"$W/pid")
			hwm=0
			while read -r key val _; do
				[ "$key" = VmHWM: ] && hwm=$val
			done <"/proc/$pid/status"
			echo "$k hwm $i 0 $hwm 0 0" >>"$W/samples"
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
	echo "$(row_field "$1" 1) fail-$3 0 0 0 1 0" >>"$W/samples"
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
STATE_PARENT=/run
VIEWS="host v2"
while getopts "n:o:e:s:v:h" opt; do
	case $opt in
	v) VIEWS=$OPTARG ;;
	n) N=$OPTARG ;;
	s) STATE_PARENT=$OPTARG ;;
	o) OUT=$OPTARG ;;
	e) EXTRA+=("$OPTARG") ;;
	*)
		sed -n '4,22p' "$SELF" | sed 's/^# \{0,1\}//'
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

# Out of tree, never in the source dir; an existing build dir is only re-made.
build() { # dir configure-args...
	local dir=$1
	shift
	mkdir -p "$dir"
	echo "building nestrun in $dir" >&2
	(cd "$dir" && { [ -f Makefile ] || "$SRCDIR/configure" -q "$@"; } && make -s -j"$(nproc)" nestrun) 2>&1 |
		grep -v "^ar: \|statically linked applications requires\|: in function" >&2
	[ -x "$dir/nestrun" ]
}
BUILD_DIR=${BUILD_DIR:-/tmp/nestrun-bench-build}
if [ -z "${NESTRUN:-}" ]; then
	build "$BUILD_DIR" || {
		echo "runtime.sh: build failed" >&2
		exit 1
	}
	NESTRUN=$BUILD_DIR/nestrun
fi
NESTRUN=$(readlink -f "$NESTRUN")
if [ -z "${NESTRUN_STATIC:-}" ]; then
	NESTRUN_STATIC=none
	if build "$BUILD_DIR-static" --enable-static; then
		NESTRUN_STATIC=$BUILD_DIR-static/nestrun
	else
		echo "runtime.sh: the --enable-static build failed: no static row" >&2
	fi
fi
[ "$NESTRUN_STATIC" = none ] || NESTRUN_STATIC=$(readlink -f "$NESTRUN_STATIC")

W=$(mktemp -d /tmp/nrbench.XXXXXX)
TAG=$(basename "$W")
STATE=

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
	if [ -n "$STATE" ] && mountpoint -q "$STATE" 2>/dev/null; then umount "$STATE"; fi
	[ -n "$STATE" ] && [ "$STATE" != "$W/state" ] && rm -rf "$STATE"
	if mountpoint -q "$W/ns/mnt" 2>/dev/null; then umount "$W/ns/mnt"; fi
	if mountpoint -q "$W/ns" 2>/dev/null; then umount "$W/ns"; fi
	grep -q " $W" /proc/self/mountinfo && echo "runtime.sh: mounts left under $W" >&2
	rm -rf "$W"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ "$STATE_PARENT" = tmpfs ]; then
	STATE=$W/state
	mkdir "$STATE"
	mount -t tmpfs -o mode=0711 nrbench "$STATE"
else
	STATE=$(mktemp -d "$STATE_PARENT/nrbench.XXXXXX")
fi
export STATE
# Less noise from whatever else the machine runs; every row gets the same.
renice -n -10 -p $$ >/dev/null 2>&1 || true

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
CANDIDATES=()
if [[ " $VIEWS " == *" host "* ]]; then
	CANDIDATES+=("host	nestrun	$NESTRUN")
	[ "$NESTRUN_STATIC" != none ] && CANDIDATES+=("host	nestrun static	$NESTRUN_STATIC")
	[ -n "$RUNC" ] && CANDIDATES+=("host	runc	$RUNC")
	[ -n "$CRUN" ] && CANDIDATES+=("host	crun	$CRUN")
	for e in "${EXTRA[@]}"; do CANDIDATES+=("host	${e%%=*}	$(readlink -f "${e#*=}")"); done
fi
if [ -e "$W/ns/mnt" ] && [[ " $VIEWS " == *" v2 "* ]]; then
	CANDIDATES+=("v2	nestrun	$NESTRUN")
	[ "$NESTRUN_STATIC" != none ] && CANDIDATES+=("v2	nestrun static	$NESTRUN_STATIC")
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
	mkdir -p "$b" "$STATE/root-$k"
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
# One pass over the samples: "k phase field med min" for wall (2), rss (3), cpu (5).
awk '$6 == 0 {
		for (f = 2; f <= 5; f++) {
			if (f == 4) continue
			key = $1 " " $2 " " f
			c = ++n[key]
			v[key, c] = $(f + 2)
		}
	}
	END {
		for (key in n) {
			m = n[key]
			for (i = 1; i <= m; i++) a[i] = v[key, i] + 0
			for (i = 2; i <= m; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
			med = (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
			split(key, kf, " ")
			div = kf[3] == 2 ? 1000000 : (kf[3] == 3 ? 1024 : 1000)
			printf "%s %.1f %.1f\n", key, med / div, a[1] / div
		}
	}' "$W/samples" >"$W/stats"
declare -A STATS
while read -r k p f med min; do
	STATS["$k $p $f med"]=$med
	STATS["$k $p $f min"]=$min
done <"$W/stats"
stat_of() { # k phase field(2=wall ms, 3=rss MiB, 5=cpu ms) med|min
	echo "${STATS["$1 $2 $3 $4"]:--}"
}
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
	echo "State roots: $STATE ($(findmnt -no FSTYPE -T "$STATE" 2>/dev/null || stat -fc %T "$STATE")); the bench runs at nice -10."
	echo "nestrun: $NESTRUN ($("$NESTRUN" --version | head -n1 | sed 's/nestrun version //')$(
		git -C "$SRCDIR" describe --always --dirty 2>/dev/null | sed 's/^/, tree /'); $(
		file -b "$NESTRUN" | grep -o 'statically linked\|dynamically linked'))"
	[ "$NESTRUN_STATIC" != none ] && echo "nestrun static: $NESTRUN_STATIC ($(file -b "$NESTRUN_STATIC" | grep -o 'statically linked\|dynamically linked'))"
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
	echo "## CPU time (user + system of the runtime and the children it reaped), ms, median"
	echo
	echo "| view | runtime | run | create | start | delete |"
	echo "|---|---|---|---|---|---|"
	while IFS=$'\t' read -r k view label _; do
		printf '| %s | %s | %s | %s | %s | %s |\n' "$view" "$label" "$(stat_of "$k" run 5 med)" \
			"$(stat_of "$k" create 5 med)" "$(stat_of "$k" start 5 med)" "$(stat_of "$k" delete 5 med)"
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
	echo "## Targets (issue 2)"
	echo
	echo "Median \`run\` ≤ crun's and ≤ 0.25× runc's with cgroups on (host view); peak RSS of"
	echo "\`run\` ≤ crun's.  crun runs only in the v2 view here, so every nestrun row is held"
	echo "against that crun row."
	echo
	echo "| view | runtime | run ≤ crun | run ≤ 0.25× runc (host) | peak RSS ≤ crun |"
	echo "|---|---|---|---|---|"
	verdict() { # value limit
		awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-") print "-";
			else printf "%s (%s vs %s)\n", (a <= b ? "yes" : "**no**"), a, b }'
	}
	limit_runc=$([ -n "$runc_host" ] && awk -v a="$(stat_of "$runc_host" run 2 med)" 'BEGIN { if (a == "-") print "-"; else printf "%.1f\n", a / 4 }' || echo -)
	while IFS=$'\t' read -r k view label _; do
		[[ $label == nestrun* ]] || continue
		printf '| %s | %s | %s | %s | %s |\n' "$view" "$label" \
			"$(verdict "$(stat_of "$k" run 2 med)" "$([ -n "$crun_v2" ] && stat_of "$crun_v2" run 2 med || echo -)")" \
			"$(verdict "$(stat_of "$k" run 2 med)" "$limit_runc")" \
			"$(verdict "$(stat_of "$k" run 3 med)" "$([ -n "$crun_v2" ] && stat_of "$crun_v2" run 3 med || echo -)")"
	done <"$W/rows"
	echo
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
