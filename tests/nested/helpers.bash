#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Helpers for tests/integration/nested*.bats: a private dockerd (its own data-root,
# exec-root, socket, cgroup parent and containerd, no bridge, no iptables) whose
# "nestrun" runtime is the static nestrun on a private store; the test images built
# from this machine's binaries by build-dind-image.sh.  Nothing under /var/lib/docker,
# /run/docker or /var/lib/nestrun is touched.
#
# Environment:
#   NESTRUN_STATIC  the static nestrun (default: <srcdir>/build-static/nestrun)
#   NEST_WORK       where everything goes (default: a fresh /tmp/nest-e2e.XXXXXX)
#   NR_PAYLOAD      the static test payload, put in the DinD image when set
# shellcheck disable=SC2154

NESTED_DIR=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
NEST_SRCDIR=$(readlink -f "$NESTED_DIR/../..")
NESTRUN_STATIC=${NESTRUN_STATIC:-$NEST_SRCDIR/build-static/nestrun}
DOCKER_CLI=${DOCKER_CLI:-/usr/bin/docker}
NEST_CGROUP_PARENT=/nestrun-nested-test

# A reason to skip, or nothing.
nest_missing() {
	[ "$(id -u)" = 0 ] || { echo "needs root"; return; }
	local b
	for b in dockerd containerd containerd-shim-runc-v2 runc busybox jq; do
		command -v "$b" >/dev/null || { echo "needs $b"; return; }
	done
	[ -x "$DOCKER_CLI" ] || { echo "needs $DOCKER_CLI"; return; }
	[ -x "$NESTRUN_STATIC" ] || { echo "needs a static nestrun (NESTRUN_STATIC=$NESTRUN_STATIC)"; return; }
	"$NESTRUN_STATIC" --version | grep -q 'build: static' || echo "NESTRUN_STATIC is not a static build"
}

# Start the private dockerd; sets NEST_WORK, NEST_STORE, DOCKER_HOST_SOCK.
nest_dockerd_start() {
	NEST_WORK=${NEST_WORK:-$(mktemp -d /tmp/nest-e2e.XXXXXX)}
	NEST_STORE=$NEST_WORK/store
	# the depth-0 runtime's error lines, for engine_health_check (helpers.bash)
	export NESTRUN_DEBUG_ERROR_LOG="$NEST_WORK/runtime-errors.log"
	DOCKER_HOST_SOCK=unix://$NEST_WORK/docker.sock
	mkdir -p "$NEST_WORK"/{data,exec} "$NEST_STORE"
	# "nestrun-max2": the same nestrun with NESTRUN_MAX_DEPTH=2 in its environment
	printf '#!/bin/sh\nNESTRUN_MAX_DEPTH=2 exec "%s" "$@"\n' "$NESTRUN_STATIC" >"$NEST_WORK/nestrun-max2"
	chmod 0755 "$NEST_WORK/nestrun-max2"
	jq -n --arg nr "$NESTRUN_STATIC" --arg max2 "$NEST_WORK/nestrun-max2" --arg store "$NEST_STORE" \
		'{runtimes:{nestrun:{path:$nr,runtimeArgs:["--store",$store]},
			"nestrun-max2":{path:$max2,runtimeArgs:["--store",$store]}}}' >"$NEST_WORK/daemon.json"
	dockerd --data-root "$NEST_WORK/data" --exec-root "$NEST_WORK/exec" -H "$DOCKER_HOST_SOCK" \
		--pidfile "$NEST_WORK/docker.pid" --config-file "$NEST_WORK/daemon.json" \
		--iptables=false --ip6tables=false --bridge=none --ip-masq=false --ip-forward=false \
		--cgroup-parent "$NEST_CGROUP_PARENT" >"$NEST_WORK/dockerd.log" 2>&1 &
	echo $! >"$NEST_WORK/dockerd.pid"
	for _ in $(seq 100); do
		"$DOCKER_CLI" -H "$DOCKER_HOST_SOCK" version >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	cat "$NEST_WORK/dockerd.log" >&2
	return 1
}

# Stop it and remove everything it made: containers, mounts, cgroups, files.
nest_dockerd_stop() {
	[ -n "${NEST_WORK:-}" ] || return 0
	local ids pid
	ids=$(hdocker ps -aq 2>/dev/null) || true
	# shellcheck disable=SC2086  # one id per word
	[ -z "$ids" ] || hdocker rm -f $ids >/dev/null 2>&1 || true
	pid=$(cat "$NEST_WORK/dockerd.pid" 2>/dev/null) || true
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null || true
		for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
	fi
	grep -o " ${NEST_WORK}[^ ]*" /proc/self/mountinfo | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null || true
	done
	local c
	for c in /sys/fs/cgroup/*"$NEST_CGROUP_PARENT" /sys/fs/cgroup/unified"$NEST_CGROUP_PARENT"; do
		[ -d "$c" ] && find "$c" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	rm -rf "$NEST_WORK"
}

hdocker() { "$DOCKER_CLI" -H "$DOCKER_HOST_SOCK" "$@"; }

# nestrun on the host side of the private dockerd: its state root (docker 20.10 gives
# every runc-like runtime <exec-root>/runtime-runc/moby) and store.
hnestrun() { "$NESTRUN_STATIC" --root "$NEST_WORK/exec/runtime-runc/moby" --store "$NEST_STORE" "$@"; }

# Build and import the test images (once per file).
nest_images() {
	local payload=()
	[ ! -x "${NR_PAYLOAD:-}" ] || payload=(--payload "$NR_PAYLOAD")
	"$NESTED_DIR/build-dind-image.sh" "$NEST_WORK/img" --nestrun "$NESTRUN_STATIC" --store "$NEST_STORE" \
		--docker "$DOCKER_HOST_SOCK" "${payload[@]}" >/dev/null
}

# The podman test images (podman.tar: the host's podman and conmon), in the store and
# in the private dockerd.
nest_podman_images() {
	"$NESTED_DIR/build-dind-image.sh" "$NEST_WORK/img" --podman --nestrun "$NESTRUN_STATIC" --store "$NEST_STORE" \
		--docker "$DOCKER_HOST_SOCK" >/dev/null
}

# Start a DinD nest at depth 1 named $1 (extra docker run args follow); waits for its dockerd.
nest_start() {
	local name=$1
	shift
	hdocker run -d --name "$name" --runtime nestrun --privileged -e NESTRUN_NESTED=1 "$@" nestrun-dind:test >/dev/null
	nest_wait hdocker exec "$name"
}

# Wait until `"$@" docker version` answers: the dockerd of a nest reached through "$@".
nest_wait() {
	for _ in $(seq 150); do
		"$@" docker version >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	echo "the dockerd reached by \"$*\" did not start" >&2
	return 1
}

# nest_exec N CMD...: run CMD in the nest at depth N of the chain d1 > d2 > … > dN
# (d1 runs under the host's dockerd, d<i+1> under the dockerd of d<i>).
nest_exec() {
	local n=$1 i
	shift
	local via=(hdocker exec d1)
	for ((i = 2; i <= n; i++)); do via+=(docker exec "d$i"); done
	"${via[@]}" "$@"
}

# nest_chain N: the chain d1 > … > dN of privileged DinD nests, each dockerd up.
nest_chain() {
	local n=$1 i
	nest_start d1
	for ((i = 2; i <= n; i++)); do
		nest_exec $((i - 1)) docker run -d --name "d$i" --privileged -e NESTRUN_NESTED=1 \
			nestrun-dind:test /entrypoint.sh >/dev/null || return 1
		nest_wait nest_exec "$i" || return 1
	done
}

# A checksum of the store as the nests share it (tests/nested/store-sum.py): content,
# mode, owner, xattrs, link targets, link counts and times of every entry.
store_sum() {
	python3 "$NESTED_DIR/store-sum.py" "$NEST_STORE"
}

fail() {
	echo "$@" >&2
	return 1
}

# teardown of each test: remove the host engine's containers, then check that nothing of
# a nest survived its container (nest dirs, leases, mounts).
nest_teardown() {
	local ids
	ids=$(hdocker ps -aq 2>/dev/null) || true
	# shellcheck disable=SC2086  # one id per word
	[ -z "$ids" ] || hdocker rm -f $ids >/dev/null 2>&1 || true
	run ls "$NEST_STORE/nests"
	[ -z "$output" ] || fail "leaked nest dirs: $output"
	run ls "$NEST_STORE/leases"
	[ -z "$output" ] || fail "leaked leases: $output"
	! grep -q "$NEST_STORE/nests/" /proc/self/mountinfo || fail "leaked mounts"
}
