#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# The seed paper's nested-chain experiment ("Nesting Containers for Faithful Datacenters
# Emulations", Fig. 2), issue 5: chains of k = 1..KMAX devices of the same Docker-in-Docker
# image, D1 run by the host's engine and D(i+1) by the engine inside D(i), in one run:
#
#   nestrun  D1 is a nest (runtime nestrun, --privileged, NESTRUN_NESTED=1); every inner
#            engine finds the image pre-loaded from the shared store and runs D(i+1) with
#            the injected static nestrun.  The host engine runs D1 from its own copy of the
#            image (`docker import`, as docs/nested.md sets a host up)
#   nestrun-seeded  the same chain, but the host engine's data-root is seeded from the
#            store (`nestrun image seed-docker`): D1 runs the store's files too, one copy
#            of the image at every depth (a second private dockerd)
#   load     plain runc at every level; each inner engine first `docker load`s the image
#            from a `docker save` archive bind-mounted into every level (/img.tar)
#   flat     the no-nesting baseline: k sibling containers of the image on the host, runc
#
#   bench/nested-chain.sh [-n N] [-k KMAX] [-o FILE.md]
#
#   -n N      iterations (default 5, as the paper); each one runs every (k, variant) once,
#             k = 1..KMAX, the variant order rotated each iteration; one untimed warm-up
#   -k KMAX   deepest chain, 1..4 (default 4: nestrun's default maximum depth)
#   -o FILE   report (default bench/results/nested-chain-<date>.md; the plot is FILE.png,
#             the machine's facts and raw samples FILE.tsv, from which
#             bench/nested-chain-report.py FILE.tsv FILE.md redoes the report)
#   NESTRUN_STATIC  the static nestrun (default: <srcdir>/build-static/nestrun, else built
#             out of tree in $BUILD_DIR-static, default /tmp/nestrun-bench-build-static)
#   PYTHON    a python3 with matplotlib for the plot (default /usr/bin/python3, Debian's)
#
# Startup time: from issuing the host's `docker run` of D1 to the line D(k) writes, as its
# first action, into a FIFO the bench holds open (bound into every level at /nrb), read on
# the host.  Each level 1 <= i < k runs, as its command: dockerd (the image's own flags plus
# --cgroup-parent) in the background, then [`docker load`], `docker run -d` of D(i+1) with
# the same script, the first of them waiting until the engine serves; D(k) writes the line
# and sleeps.  Every level also appends timestamps (/proc/uptime, 10 ms) to /nrb/log, and
# dockerd's "API listen on" line dates when it serves: the per-level breakdown.  Flat: the
# k containers one after the other, each started once the previous one wrote its line.
#
# Then, the chain still up (after 1 s of settling): PSS of every process of the chain,
# grouped by pid-namespace depth (= level; the shim of D1 is the host's, "level 0") and
# name, from /proc/PID/smaps_rollup; disk: bytes (du, allocated blocks) of each level's
# engine data-root without the next level's (nestrun: the nest dir under the store's
# nests/, without its nests/; load: the anonymous /var/lib/docker volume, without its
# volumes/), and level 0: D1's container layer and dir in the host engine's data-root.
# The store and the archive are the host's one-time costs, reported apart.
#
# Everything lives in one /tmp/nrb-chain.XXXXXX: a private dockerd (tests/nested/helpers.bash),
# the store, the images (tests/nested/build-dind-image.sh, from this machine's binaries),
# cgroups under /nrb-chain.XXXXXX*; all removed on exit, also on Ctrl-C.  Needs root.
set -euo pipefail

SELF=$(readlink -f "$0")
SRCDIR=$(dirname "$(dirname "$SELF")")
N=5
KMAX=4
OUT=
while [ $# -gt 0 ]; do
	case $1 in
	-n) N=$2; shift 2 ;;
	-k) KMAX=$2; shift 2 ;;
	-o) OUT=$2; shift 2 ;;
	-h | --help) sed -n '3,/^set -euo/p' "$SELF" | sed '$d'; exit 0 ;;
	*) echo "nested-chain.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
[[ $N =~ ^[1-9][0-9]*$ ]] || { echo "nested-chain.sh: -n wants a positive number" >&2; exit 2; }
[[ $KMAX =~ ^[1-4]$ ]] || { echo "nested-chain.sh: -k wants 1..4" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "nested-chain.sh: needs root" >&2; exit 1; }
DATE=$(date +%F)
OUT=${OUT:-$SRCDIR/bench/results/nested-chain-$DATE.md}
PYTHON=${PYTHON:-/usr/bin/python3}

# shellcheck source=/dev/null
source "$SRCDIR/tests/nested/helpers.bash"
if [ ! -x "$NESTRUN_STATIC" ]; then
	BUILD_DIR=${BUILD_DIR:-/tmp/nestrun-bench-build}
	mkdir -p "$BUILD_DIR-static"
	echo "building the static nestrun in $BUILD_DIR-static" >&2
	(cd "$BUILD_DIR-static" && { [ -f Makefile ] || "$SRCDIR/configure" -q --enable-static; } &&
		make -s -j"$(nproc)" nestrun) 2>&1 | grep -v "^ar: \|statically linked applications requires\|: in function" >&2 || true
	NESTRUN_STATIC=$BUILD_DIR-static/nestrun
fi
NESTRUN_STATIC=$(readlink -f "$NESTRUN_STATIC")
why=$(nest_missing)
[ -z "$why" ] || { echo "nested-chain.sh: $why" >&2; exit 1; }
"$PYTHON" -c 'import matplotlib' 2>/dev/null || echo "nested-chain.sh: no matplotlib for $PYTHON (apt-get install python3-matplotlib): no plot" >&2

NEST_WORK=$(mktemp -d /tmp/nrb-chain.XXXXXX)
W=$NEST_WORK
SEEDED=$W/seeded             # the second host dockerd, on a seeded data-root
TAG=$(basename "$NEST_WORK")
# shellcheck disable=SC2034  # read by tests/nested/helpers.bash
NEST_CGROUP_PARENT=/$TAG     # the host engine's containers
INNER_CG=/$TAG-inner         # the inner engines' (load: the host's hierarchy, see below)
NRB=$NEST_WORK/nrb           # bound at /nrb at every level: the FIFO, the timestamps
TAR=$NEST_WORK/dind-save.tar # `docker save` of the image, bound at /img.tar (load)
RAW=$NEST_WORK/raw.tsv       # iter k variant metric level value
IMAGE=nestrun-dind:test

# The host engine of a variant: sets DOCKER_HOST_SOCK (hdocker's) and DKDATA.
use_engine() { # variant
	local w=$W
	[ "$1" != nestrun-seeded ] || w=$SEEDED
	DOCKER_HOST_SOCK=unix://$w/docker.sock
	DKDATA=$w/data
}
remove_containers() {
	local ids v
	for v in nestrun nestrun-seeded; do
		use_engine "$v"
		[ -S "${DOCKER_HOST_SOCK#unix://}" ] || continue
		ids=$(hdocker ps -aq 2>/dev/null) || true
		# shellcheck disable=SC2086  # one id per word
		[ -z "$ids" ] || hdocker rm -f -v $ids >/dev/null 2>&1 || true
		hdocker volume prune -f >/dev/null 2>&1 || true
	done
	local d
	for d in /sys/fs/cgroup/*"$INNER_CG" /sys/fs/cgroup/unified"$INNER_CG"; do
		[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	return 0
}
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	exec 3<&- 2>/dev/null || true
	remove_containers
	# its cgroup loop ends on a test that fails when all went well: || true
	if [ -e "$SEEDED/dockerd.pid" ]; then
		use_engine nestrun-seeded
		NEST_WORK=$SEEDED nest_dockerd_stop || true
	fi
	use_engine nestrun
	NEST_WORK=$W nest_dockerd_stop || true
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The command of every level (busybox sh, passed down in $NRB_CHAIN; the image is not
# modified).  The dockerd flags are those of the image's /entrypoint.sh, plus the cgroup
# parent so that the bench finds (and removes) every inner container's cgroup, at
# docker's default log level (its "API listen on" line dates when the engine serves).
# No `docker version` poll: the first command blocks until the engine serves, as it
# would for a user, and a poll would cost a docker CLI start per level.
# shellcheck disable=SC2016,SC2089  # a script: expanded at each level, not here
NRB_CHAIN='
t() { read -r up _ </proc/uptime; echo "$NRB_LEVEL $1 $up" >>/nrb/log; }
fail() { echo "FAIL at level $NRB_LEVEL: $*" >/nrb/fifo; exit 1; }
# a docker command, again while the engine does not listen yet (it serves once started)
engine() {
	n=0
	until "$@" >/dev/null 2>"/nrb/err-$NRB_LEVEL"; do
		grep -q "Cannot connect to the Docker daemon" "/nrb/err-$NRB_LEVEL" && [ $n -lt 3000 ] ||
			fail "$1 $2: $(cat "/nrb/err-$NRB_LEVEL")"
		n=$((n + 1)); sleep 0.01
	done
}
t start
if [ "$NRB_LEVEL" -ge "$NRB_DEPTH" ]; then
	echo "ok $NRB_LEVEL" >/nrb/fifo
	exec sleep 100000000
fi
dockerd --iptables=false --ip6tables=false --bridge=none --ip-forward=false --ip-masq=false \
	--host unix:///var/run/docker.sock --cgroup-parent "$NRB_CGROUP" >"/nrb/dockerd-$NRB_LEVEL.log" 2>&1 &
n=0
until [ -S /var/run/docker.sock ]; do
	n=$((n + 1)); [ $n -lt 6000 ] || fail "no docker.sock"; sleep 0.01
done
t socket
if [ "$NRB_MODE" = load ]; then
	engine docker load -q -i /img.tar
	t loaded
fi
engine docker run -d $NRB_RUNARGS -e NRB_LEVEL=$((NRB_LEVEL + 1)) -e NRB_MODE -e NRB_DEPTH -e NRB_CHAIN \
	-e NRB_RUNARGS -e NRB_CGROUP -e NRB_IMAGE "$NRB_IMAGE" sh -c "eval \"\$NRB_CHAIN\""
t run
wait
'
# runc cannot run --privileged on a host whose bounding set lacks a capability (this VM has
# no CAP_SYS_RESOURCE: "unable to apply caps"), so the load chain gets what a DinD needs
# of --privileged explicitly: every capability there is, no seccomp, unmasked /proc, and
# writable cgroups (the host's hierarchy bound read-write, in a cgroup namespace; the inner
# engines' containers go under $INNER_CG).  nestrun grants the capabilities that exist.
LOAD_PRIV="--cap-add ALL --cap-drop SYS_RESOURCE --security-opt seccomp=unconfined
	--security-opt systempaths=unconfined --cgroupns private -v /sys/fs/cgroup:/sys/fs/cgroup"
# shellcheck disable=SC2090  # NRB_CHAIN is a script, not arguments
export NRB_CHAIN NRB_MODE NRB_DEPTH NRB_RUNARGS NRB_IMAGE=$IMAGE NRB_CGROUP=$INNER_CG

# Host-side arguments of D1 (word-split on purpose: no spaces inside one).
host_args() { # variant
	case $1 in
	nestrun*) echo "--runtime nestrun --privileged -e NESTRUN_NESTED=1 -v $NRB:/nrb" ;;
	load) echo "--runtime runc $LOAD_PRIV -v /var/lib/docker -v $TAR:/img.tar:ro -v $NRB:/nrb" ;;
	flat) echo "--runtime runc -v $NRB:/nrb" ;;
	esac
}
inner_args() { # variant: D(i+1)'s, given by D(i)'s engine (whose default runtime nestrun set)
	case $1 in
	nestrun*) echo "--privileged -e NESTRUN_NESTED=1 -v /nrb:/nrb" ;;
	load) echo "$LOAD_PRIV -v /var/lib/docker -v /img.tar:/img.tar:ro -v /nrb:/nrb" ;;
	esac
}

now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }

# Wait for one line on the FIFO; fail loudly with the levels' logs.
wait_line() {
	local line
	if ! read -r -t 600 -u 3 line || [[ $line != ok* ]]; then
		echo "nested-chain.sh: ${line:-no line in 600 s} ($*)" >&2
		tail -n 20 "$NRB"/*.log "$NRB"/*.err 2>/dev/null >&2 || true
		exit 1
	fi
}

# PSS of the processes below each root pid, by pid-namespace depth and name; and, per
# level, the (device, inode) of the engines' executables as mapped (the real file below
# overlayfs): one inode at every depth means one copy in the page cache.
pss_of() { # root pids...
	"$PYTHON" - "$@" <<'PY'
import os, sys, collections
def status(p):
    d = {}
    with open(f"/proc/{p}/status") as f:
        for l in f:
            k, _, v = l.partition(":")
            d[k] = v.split()
    return d
kids = collections.defaultdict(list)
for p in os.listdir("/proc"):
    if p.isdigit():
        try:
            with open(f"/proc/{p}/stat") as f:
                s = f.read()
            kids[int(s.rsplit(")", 1)[1].split()[1])].append(int(p))
        except OSError:
            pass
base = len(status("self")["NSpid"])
roots = [int(r) for r in sys.argv[1:]]
todo = list(roots)
# the host's shim of each root: level 0
for r in roots:
    pp = int(status(r)["PPid"][0])
    if status(pp)["Name"][0].startswith("containerd-shim"):
        todo.append(pp)
seen, acc, exe = set(), collections.defaultdict(lambda: [0, 0, 0, 0]), {}
while todo:
    p = todo.pop()
    if p in seen:
        continue
    seen.add(p)
    todo.extend(kids.get(p, []))
    try:
        st = status(p)
        roll = {}
        with open(f"/proc/{p}/smaps_rollup") as f:
            for l in f:
                k, _, v = l.partition(":")
                if v.strip().endswith("kB"):
                    roll[k] = int(v.split()[0])
    except OSError:
        continue
    lvl = len(st["NSpid"]) - base
    name = st["Name"][0]
    a = acc[(lvl, name)]
    a[0] += 1; a[1] += roll.get("Pss", 0); a[2] += roll.get("Pss_Anon", 0); a[3] += roll.get("Pss_File", 0)
    if name in ("dockerd", "containerd", "containerd-shim"):
        try:
            with open(f"/proc/{p}/maps") as f:
                for l in f:
                    w = l.split()
                    if len(w) >= 6 and w[5] == os.readlink(f"/proc/{p}/exe").replace(" (deleted)", ""):
                        exe[(lvl, name)] = f"{w[3]}:{w[4]}"
                        break
        except OSError:
            pass
for (lvl, name), a in sorted(acc.items()):
    print(f"pss\t{lvl}\t{name}\t{a[0]}\t{a[1]}\t{a[2]}\t{a[3]}")
for (lvl, name), e in sorted(exe.items()):
    print(f"exe\t{lvl}\t{name}\t{e}")
PY
}

du_b() { du -sxB1 "$1" 2>/dev/null | cut -f1; }

# Each level's data-root on the host, outermost first.
data_roots() { # variant D1-id
	local d
	case $1 in
	nestrun*)
		d=$NEST_STORE/nests/$2
		while [ -d "$d" ]; do
			echo "$d"
			d=$(find "$d/nests" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | head -n1)
			[ -n "$d" ] || break
		done
		;;
	load)
		d=$(hdocker inspect -f '{{range .Mounts}}{{if eq .Destination "/var/lib/docker"}}{{.Source}}{{end}}{{end}}' "$2")
		while [ -n "$d" ] && [ -d "$d" ]; do
			echo "$d"
			d=$(find "$d/volumes" -mindepth 2 -maxdepth 2 -name _data -type d 2>/dev/null | head -n1)
		done
		;;
	esac
}

# Level 0: what the host engine wrote for one container (its layer, init layer, dir).
host_bytes() { # id
	local up b
	up=$(dirname "$(hdocker inspect -f '{{.GraphDriver.Data.UpperDir}}' "$1")")
	b=$(du -scxB1 "$up" "$up-init" "$DKDATA/containers/$1" 2>/dev/null | tail -n1 | cut -f1)
	echo "${b:-0}"
}

emit() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$ITER" "$K" "$V" "$@" >>"$RAW"; }

# One chain (or flat set) of depth $K for variant $V, measured and torn down.
run_one() {
	local t0 t1 up0 ids=() id lvl name n pss anon file roots=() i prev cur
	use_engine "$V"
	rm -f "$NRB"/log "$NRB"/*.log "$NRB"/*.err
	read -r up0 _ </proc/uptime
	t0=$(now_ms)
	if [ "$V" = flat ]; then
		for ((i = 1; i <= K; i++)); do
			# shellcheck disable=SC2046,SC2016  # words of host_args; $NRB_CHAIN is for the container
			id=$(NRB_LEVEL=1 NRB_DEPTH=1 NRB_MODE=flat hdocker run -d $(host_args flat) \
				-e NRB_LEVEL -e NRB_MODE -e NRB_DEPTH -e NRB_CHAIN "$IMAGE" sh -c 'eval "$NRB_CHAIN"')
			ids+=("$id")
			wait_line "flat $i of $K"
		done
	else
		# shellcheck disable=SC2046,SC2016
		id=$(NRB_LEVEL=1 NRB_DEPTH=$K NRB_MODE=$V NRB_RUNARGS="$(inner_args "$V")" hdocker run -d \
			$(host_args "$V") -e NRB_LEVEL -e NRB_MODE -e NRB_DEPTH -e NRB_CHAIN -e NRB_RUNARGS \
			-e NRB_CGROUP -e NRB_IMAGE "$IMAGE" sh -c 'eval "$NRB_CHAIN"')
		ids+=("$id")
		wait_line "$V, depth $K"
	fi
	t1=$(now_ms)
	emit time_ms 0 $((t1 - t0))
	sleep 1 # settle: the last `docker run -d` returns, the engines finish their start
	awk -v u="$up0" '{ printf "t_%s\t%s\t%d\n", $2, $1, ($3 - u) * 1000 }' "$NRB/log" |
		while IFS=$'\t' read -r name lvl n; do emit "$name" "$lvl" "$n"; done
	for name in "$NRB"/dockerd-*.log; do # when each inner engine began to serve
		[ -e "$name" ] || continue
		lvl=${name##*-} n=$(grep -m1 -o '^time="[^"]*" level=info msg="API listen on /var/run/docker.sock"' "$name" | cut -d'"' -f2)
		[ -z "$n" ] || emit t_serving "${lvl%.log}" $(($(date -d "$n" +%s%3N) - t0))
	done
	for id in "${ids[@]}"; do roots+=("$(hdocker inspect -f '{{.State.Pid}}' "$id")"); done
	pss_of "${roots[@]}" | while IFS=$'\t' read -r what lvl name n pss anon file; do
		if [ "$what" = pss ]; then
			emit "pss_kb:$name" "$lvl" "$pss"
			emit "pss_anon_kb:$name" "$lvl" "$anon"
			emit "pss_file_kb:$name" "$lvl" "$file"
			emit "nproc:$name" "$lvl" "$n"
		else
			emit "exe:$name" "$lvl" "$n"
		fi
	done
	n=0
	for id in "${ids[@]}"; do n=$((n + $(host_bytes "$id"))); done
	emit disk_b 0 "$n"
	if [ "$V" != flat ]; then
		lvl=0 prev=
		while read -r cur; do
			lvl=$((lvl + 1))
			n=$(du_b "$cur")
			[ -z "$prev" ] || emit disk_b $((lvl - 1)) $((prev - n))
			prev=$n
		done < <(data_roots "$V" "$id")
		[ -z "$prev" ] || emit disk_b "$lvl" "$prev"
		[ "$lvl" -eq "$K" ] || echo "nested-chain.sh: $V depth $K: found $lvl data-roots" >&2
	fi
	t0=$(now_ms)
	hdocker rm -f -v "${ids[@]}" >/dev/null
	t1=$(now_ms)
	emit teardown_ms 0 $((t1 - t0))
	remove_containers
	if [ -n "$(ls -A "$NEST_STORE/nests" 2>/dev/null)" ]; then
		echo "nested-chain.sh: nest dirs left after delete: $(ls "$NEST_STORE/nests")" >&2
		exit 1
	fi
}

echo "nested-chain.sh: private dockerd and images in $NEST_WORK" >&2
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
T_START=$(date +%s)
nest_dockerd_start
nest_images
hdocker save "$IMAGE" -o "$TAR"
# The second host engine: its data-root seeded from the store, the layers bound read-only.
mkdir -p "$SEEDED"
ln -s ../store "$SEEDED/store"
"$NESTRUN_STATIC" image seed-docker --store "$NEST_STORE" "$SEEDED/data" "$IMAGE" |
	while read -r src dst mode; do mount --bind -o "$mode" "$src" "$dst"; done
NEST_WORK=$SEEDED nest_dockerd_start
NEST_WORK=$W NEST_STORE=$W/store
mkdir -p "$NRB"
mkfifo "$NRB/fifo"
exec 3<>"$NRB/fifo"
: >"$RAW"

VARIANTS=(nestrun nestrun-seeded load flat)
ITER=0 K=2
for V in "${VARIANTS[@]}"; do
	echo "warm-up: $V, k=$K" >&2
	run_one
done
: >"$RAW"
LOADS=()
for ((ITER = 1; ITER <= N; ITER++)); do
	LOADS+=("$(cut -d' ' -f1 /proc/loadavg)")
	for ((K = 1; K <= KMAX; K++)); do
		for ((j = 0; j < ${#VARIANTS[@]}; j++)); do
			V=${VARIANTS[$(((j + ITER + K) % ${#VARIANTS[@]}))]}
			run_one
			printf 'iteration %d/%d  k=%d  %-14s %6d ms  (load %s)\n' "$ITER" "$N" "$K" "$V" \
				"$(awk -F'\t' -v i="$ITER" -v k="$K" -v v="$V" '$1 == i && $2 == k && $3 == v && $4 == "time_ms" { print $6 }' "$RAW")" \
				"$(cut -d' ' -f1 /proc/loadavg)" >&2
		done
	done
done
LOADS+=("$(cut -d' ' -f1 /proc/loadavg)")

mkdir -p "$(dirname "$OUT")"
{ # the facts, as "# key=value" lines heading the samples: the report can be redone
	echo "date=$DATE"
	echo "iterations=$N"
	echo "kmax=$KMAX"
	echo "elapsed_s=$(($(date +%s) - T_START))"
	echo "load_before=$LOAD_BEFORE"
	echo "load_samples=${LOADS[*]}"
	echo "load_after=$(cut -d' ' -f1-3 /proc/loadavg)"
	echo "cpus=$(nproc)"
	echo "cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
	echo "mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
	echo "kernel=$(uname -r)"
	echo "fs=$(findmnt -no FSTYPE,SOURCE -T "$NEST_WORK" | tr -s ' ')"
	echo "dockerd=$(dockerd --version)"
	echo "containerd=$(containerd --version | cut -d' ' -f2-3)"
	echo "runc=$(runc --version | head -n1)"
	echo "nestrun=$NESTRUN_STATIC ($("$NESTRUN_STATIC" --version | head -n1)$(git -C "$SRCDIR" describe --always --dirty 2>/dev/null | sed 's/^/, tree /'))"
	echo "image_bytes=$(stat -c %s "$NEST_WORK/img/dind.tar")"
	echo "save_bytes=$(stat -c %s "$TAR")"
	echo "store_bytes=$(du -sxB1 "$NEST_STORE" | cut -f1)"
	echo "store_dockerd=$(stat -c '%d:%i' "$(find "$NEST_STORE/layers" -path '*/usr/bin/dockerd' | head -n1)")"
	use_engine nestrun
	echo "host_image_bytes=$(hdocker image inspect -f '{{.Size}}' "$IMAGE")"
} | sed 's/^/# /' >"${OUT%.md}.tsv"
cat "$RAW" >>"${OUT%.md}.tsv"
"$PYTHON" "$SRCDIR/bench/nested-chain-report.py" "${OUT%.md}.tsv" "$OUT"
echo "nested-chain.sh: wrote $OUT" >&2
