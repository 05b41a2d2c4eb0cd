#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Private engine daemons for the engine suites (engine_docker_ops, containerd, cri,
# podman): each suite starts its own dockerd / containerd with every data, state and
# exec directory and socket under one short temporary directory ($ENG_DIR), never
# the system's, and stops and removes all of it in teardown_file.  Load after
# helpers.bash.
#
# The runtime under test is registered under the name "nestrun" whatever binary
# $NESTRUN is, so NESTRUN=/usr/sbin/runc runs the same suites against runc.
#
# Not private, because containerd 1.6 hardcodes it: the shims' sockets live in
# /run/containerd/s/<hash of our address> while they run (they remove them).
# shellcheck disable=SC2154,SC2153  # DOCKER, NESTRUN... come from helpers.bash

export NR_RUNTIME_BIN
NR_RUNTIME_BIN=$(readlink -f "$NESTRUN" 2>/dev/null || echo "$NESTRUN")
DOCKERD=${DOCKERD:-/usr/sbin/dockerd}
CONTAINERD=${CONTAINERD:-/usr/bin/containerd}
CTR=${CTR:-/usr/bin/ctr}
# Debian's python3 (grpcio, protobuf), not a python of a version manager that shadows it.
PYTHON3=${PYTHON3:-/usr/bin/python3}

# Checks common to the engine suites; skips (with the reason) what this machine lacks.
function eng_requires() {
	local what why
	for what in "$@"; do
		why=
		case $what in
		root) [ "$(id -u)" -eq 0 ] || why="private engine daemons need root" ;;
		dockerd) [ -x "$DOCKERD" ] && [ -x "$DOCKER" ] || why="needs Debian's docker.io ($DOCKERD, $DOCKER)" ;;
		containerd) [ -x "$CONTAINERD" ] && [ -x "$CTR" ] && command -v containerd-shim-runc-v2 >/dev/null ||
			why="needs Debian's containerd ($CONTAINERD, $CTR, containerd-shim-runc-v2)" ;;
		podman) command -v podman >/dev/null && command -v conmon >/dev/null || why="needs Debian's podman and conmon" ;;
		cri_client)
			"$PYTHON3" -c 'import grpc, google.protobuf' 2>/dev/null && command -v protoc >/dev/null ||
				why="needs python3-grpcio, python3-protobuf and protobuf-compiler"
			;;
		script) command -v script >/dev/null || why="needs script(1) from bsdutils for a tty" ;;
		*) fail "BUG: eng_requires $what" ;;
		esac
		[ -z "$why" ] || skip "requires $what: $why"
	done
}

# A short private directory (socket paths must stay under 108 bytes).
function eng_mkdir() {
	ENG_DIR=$(mktemp -d /tmp/nr-eng.XXXXXX)
	chmod 711 "$ENG_DIR"
	export ENG_DIR
	# the runtime's error lines, for engine_health_check (helpers.bash); the daemons
	# started from here on pass it down to the runtime
	export NESTRUN_DEBUG_ERROR_LOG="$ENG_DIR/runtime-errors.log"
}

# Wait until "$@" succeeds: eng_wait TRIES DELAY CMD...
function eng_wait() {
	local tries=$1 delay=$2 i
	shift 2
	for ((i = 0; i < tries; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep "$delay"
	done
	echo "eng_wait: '$*' did not succeed" >&2
	return 1
}

# A tarball of the test rootfs (busybox-static with applets, nr-payload, /etc/passwd).
function eng_rootfs_tar() {
	local tpl
	tpl=$(rootfs_template) || return 1
	tar -C "$tpl" --exclude=./.done -cf "$1" .
}

# A pause image rootfs: /pause is the static payload (`/pause pause` sleeps until
# SIGTERM/SIGINT), the only file.
function eng_pause_tar() {
	local d
	d=$(mktemp -d "$ENG_DIR/pause.XXXXXX")
	cp "$(payload_binary)" "$d/pause"
	tar -C "$d" -cf "$1" .
	rm -rf "$d"
}

## dockerd ------------------------------------------------------------------------

# eng_dockerd_start DIR DAEMON_JSON: start a private dockerd; sets DOCKER_HOST.
function eng_dockerd_start() {
	local dir=$1
	mkdir -p "$dir"
	printf '%s\n' "$2" >"$dir/daemon.json"
	(setsid "$DOCKERD" --data-root "$dir/data" --exec-root "$dir/exec" \
		-H "unix://$dir/docker.sock" --pidfile "$dir/docker.pid" \
		--config-file "$dir/daemon.json" </dev/null >"$dir/dockerd.log" 2>&1 &)
	export DOCKER_HOST="unix://$dir/docker.sock"
	eng_wait 150 0.2 "$DOCKER" info || {
		tail -n 20 "$dir/dockerd.log" >&2
		return 1
	}
}

# The daemon.json used by the docker suites: bridge-less (other engineers' daemons
# share this host's network), vfs storage, our own cgroup parent.
function eng_daemon_json() {
	jq -n --arg rt "$NR_RUNTIME_BIN" --arg cg "$1" --argjson extra "${2:-{\}}" \
		'{runtimes: {nestrun: {path: $rt}}, bridge: "none", iptables: false, ip6tables: false,
		  "storage-driver": "vfs", "cgroup-parent": $cg} + $extra'
}

function eng_dockerd_stop() {
	local dir=$1 pid i
	[ -d "$dir" ] || return 0
	if [ -S "$dir/docker.sock" ]; then
		DOCKER_HOST="unix://$dir/docker.sock" "$DOCKER" ps -aq 2>/dev/null |
			xargs -r env DOCKER_HOST="unix://$dir/docker.sock" "$DOCKER" rm -f >/dev/null 2>&1
	fi
	pid=$(cat "$dir/docker.pid" 2>/dev/null)
	if [ -n "$pid" ] && kill "$pid" 2>/dev/null; then
		for ((i = 0; i < 150; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.2
		done
		kill -9 "$pid" 2>/dev/null || true
	fi
	eng_reap "$dir"
}

# Kill what is left of processes started for $1 (shims, containers), unmount and remove it.
function eng_reap() {
	local dir=$1 p pid cmd
	for p in /proc/[0-9]*; do
		pid=${p#/proc/}
		cmd=$(tr '\0' ' ' 2>/dev/null <"$p/cmdline") || continue
		if [[ "$cmd" == *"$dir/"* ]] || [[ "$(readlink "$p/root" 2>/dev/null)" == "$dir/"* ]]; then
			kill -9 "$pid" 2>/dev/null || true
		fi
	done
	sleep 0.2
	awk -v r="$dir/" 'index($5, r) == 1 {print $5}' /proc/self/mountinfo | sort -r |
		xargs -r -n1 umount -l 2>/dev/null || true
	rm -rf "$dir"
}

# Remove a cgroup subtree (relative to each hierarchy's root) in every hierarchy.
function eng_rm_cgroup() {
	local d
	for d in /sys/fs/cgroup/*/"$1" /sys/fs/cgroup/"$1"; do
		if [ -d "$d" ]; then find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true; fi
	done
	return 0
}

# Make a docker-save tarball OUT of image NAME from rootfs tarball TAR, through a
# throwaway private dockerd (docker import, then docker save): eng_image_tar NAME TAR OUT [--change C]...
function eng_image_tar() {
	local name=$1 tar=$2 out=$3 dir
	shift 3
	dir=$(mktemp -d /tmp/nr-eng-img.XXXXXX)
	(
		eng_dockerd_start "$dir" "$(jq -n '{bridge: "none", iptables: false, ip6tables: false, "storage-driver": "vfs"}')" &&
			"$DOCKER" import "$@" "$tar" "$name" >/dev/null &&
			"$DOCKER" save -o "$out" "$name"
	)
	local rc=$?
	eng_dockerd_stop "$dir"
	return $rc
}

## containerd ---------------------------------------------------------------------

# The top of a private containerd config (version 2 schema, containerd 1.x): DIR holds
# it all.  eng_containerd_config DIR [PLUGIN-TO-DISABLE...]
function eng_containerd_config() {
	local dir=$1 p extra=
	shift
	for p in "$@"; do extra+=", \"$p\""; done
	cat <<-EOF
		version = 2
		root = "$dir/root"
		state = "$dir/state"
		disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
		  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"$extra]
		[grpc]
		  address = "$dir/containerd.sock"
		[ttrpc]
		  address = "$dir/containerd.sock.ttrpc"
		[debug]
		  address = "$dir/debug.sock"
		[metrics]
		  address = ""
		[plugins."io.containerd.internal.v1.opt"]
		  path = "$dir/opt"
	EOF
}

# eng_containerd_start DIR (DIR/config.toml written by the suite)
function eng_containerd_start() {
	local dir=$1
	# shellcheck disable=SC2016  # expanded by that sh
	(setsid sh -c 'echo $$ >"$1/containerd.pid"; exec "$2" --config "$1/config.toml"' sh "$dir" "$CONTAINERD" \
		</dev/null >"$dir/containerd.log" 2>&1 &)
	eng_wait 150 0.2 "$CTR" -a "$dir/containerd.sock" version || {
		tail -n 20 "$dir/containerd.log" >&2
		return 1
	}
}

function eng_containerd_stop() {
	local dir=$1 ns t pid
	[ -d "$dir" ] || return 0
	if [ -S "$dir/containerd.sock" ]; then
		for ns in $("$CTR" -a "$dir/containerd.sock" namespaces ls -q 2>/dev/null); do
			for t in $("$CTR" -a "$dir/containerd.sock" -n "$ns" task ls -q 2>/dev/null); do
				"$CTR" -a "$dir/containerd.sock" -n "$ns" task kill -s KILL "$t" >/dev/null 2>&1
				"$CTR" -a "$dir/containerd.sock" -n "$ns" task rm -f "$t" >/dev/null 2>&1
			done
		done
	fi
	pid=$(cat "$dir/containerd.pid" 2>/dev/null)
	if [ -n "$pid" ] && kill "$pid" 2>/dev/null; then sleep 1; fi
	eng_reap "$dir"
}
