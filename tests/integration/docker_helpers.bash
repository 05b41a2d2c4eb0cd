#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# A private dockerd for the end-to-end suites, started once per bats file
# (setup_file / teardown_file) with $NESTRUN registered as runtime "nestrun".
# Everything lives under one temporary directory: data-root, exec-root, socket,
# pid file, the managed containerd; containers' cgroups go under one
# cgroup-parent; the default bridge is a private bridge of our own with no
# masquerading and no iptables rules, so no container traffic leaves this machine.
# No registry exists: the image is imported from the suite's busybox rootfs.

# status and output are set by bats' `run`.
# shellcheck disable=SC2154

# shellcheck disable=SC1091  # checked on its own
source "$(dirname "${BASH_SOURCE[0]}")/helpers.bash"

DOCKER_IMAGE=nr-busybox:latest

# The docker client, talking to our daemon only.
function dk() {
	"$DOCKER" -H "unix://$DOCKER_SOCK" "$@"
}

# `docker run --rm --runtime nestrun IMAGE`, with bats' run: dockerun [DOCKER-OPTS...] -- CMD...
function dockerun() {
	local opts=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	[ "${1:-}" = -- ] && shift
	run dk run --rm --runtime nestrun "${opts[@]}" "$DOCKER_IMAGE" "$@"
	echo "docker run ${opts[*]} $DOCKER_IMAGE $* (status=$status):" >&2
	echo "$output" >&2
}

function start_dockerd() {
	requires docker
	[ -x "$NESTRUN" ] || fail "NESTRUN=$NESTRUN is not an executable" || return 1
	# setup_file runs apart from the tests: what they need is exported.
	export DOCKER_TMP DOCKER_SOCK DOCKER_BRIDGE DOCKER_SUBNET DOCKER_CGROUP_PARENT DOCKERD_PID
	DOCKER_TMP=$(mktemp -d /tmp/nr-docker.XXXXXX)
	DOCKER_SOCK="$DOCKER_TMP/docker.sock"
	DOCKER_BRIDGE="nrbr$$"
	DOCKER_SUBNET="10.213.$(($$ % 200 + 20))"
	DOCKER_CGROUP_PARENT="nestrun-docker-$$"
	# the runtime's error lines, for engine_health_check (helpers.bash)
	export NESTRUN_DEBUG_ERROR_LOG="$DOCKER_TMP/runtime-errors.log"
	export DOCKER_CONFIG="$DOCKER_TMP/client-config"
	mkdir -p "$DOCKER_CONFIG"

	ip link add "$DOCKER_BRIDGE" type bridge
	ip addr add "$DOCKER_SUBNET.1/24" dev "$DOCKER_BRIDGE"
	ip link set "$DOCKER_BRIDGE" up

	local driver=overlay2
	case "$(stat -f -c %T "$DOCKER_TMP")" in
	overlayfs | tmpfs | fuseblk) driver=vfs ;;
	esac
	jq -n --arg rt "$NESTRUN" --arg br "$DOCKER_BRIDGE" --arg driver "$driver" \
		--arg cg "/$DOCKER_CGROUP_PARENT" '{
		"runtimes": {"nestrun": {"path": $rt}},
		"bridge": $br, "iptables": false, "ip-masq": false, "ip6tables": false,
		"ipv6": false, "storage-driver": $driver, "cgroup-parent": $cg,
		"exec-opts": ["native.cgroupdriver=cgroupfs"], "log-driver": "json-file",
		"features": {"buildkit": false}}' >"$DOCKER_TMP/daemon.json"

	"$DOCKERD" --config-file "$DOCKER_TMP/daemon.json" \
		--data-root "$DOCKER_TMP/data" --exec-root "$DOCKER_TMP/exec" \
		--pidfile "$DOCKER_TMP/dockerd.pid" -H "unix://$DOCKER_SOCK" \
		</dev/null >"$DOCKER_TMP/dockerd.log" 2>&1 3>&- &
	DOCKERD_PID=$!
	local i
	for ((i = 0; i < 120; i++)); do
		dk version >/dev/null 2>&1 && break
		kill -0 "$DOCKERD_PID" 2>/dev/null || break
		sleep 0.5
	done
	if ! dk version >/dev/null 2>&1; then
		tail -n 30 "$DOCKER_TMP/dockerd.log" >&2
		fail "dockerd did not start"
		return 1
	fi

	# The image: the suites' busybox rootfs with the payload, imported.
	local tpl
	tpl=$(rootfs_template) || return 1
	tar -C "$tpl" --exclude ./.done -c . |
		dk import --change 'CMD ["sh"]' - "$DOCKER_IMAGE" >/dev/null || {
		fail "docker import failed"
		return 1
	}
}

function stop_dockerd() {
	[ -n "${DOCKER_TMP:-}" ] || return 0
	local problems=() leaked i
	local ids
	ids=$(dk ps -aq 2>/dev/null) || true
	# shellcheck disable=SC2086
	[ -z "$ids" ] || dk rm -f $ids >/dev/null 2>&1 || true

	if [ -n "${DOCKERD_PID:-}" ] && kill -0 "$DOCKERD_PID" 2>/dev/null; then
		kill -TERM "$DOCKERD_PID"
		for ((i = 0; i < 100; i++)); do
			kill -0 "$DOCKERD_PID" 2>/dev/null || break
			sleep 0.2
		done
		kill -KILL "$DOCKERD_PID" 2>/dev/null && problems+=("dockerd ignored SIGTERM")
	fi
	# The managed containerd and shims, if they outlived dockerd.
	leaked=$(grep -alF -- "$DOCKER_TMP/" /proc/[0-9]*/cmdline 2>/dev/null | awk -F/ '{print $3}')
	if [ -n "$leaked" ]; then
		# shellcheck disable=SC2086
		kill -9 $leaked 2>/dev/null || true
		sleep 0.5
	fi

	leaked=$(awk -v r="$DOCKER_TMP/" 'index($5, r) == 1 {print $5}' /proc/self/mountinfo | sort -r)
	if [ -n "$leaked" ]; then
		# dockerd leaves its own mounts (overlay, netns) when killed: only report
		# them if it had to be killed; unmount them in any case.
		xargs -r -n1 umount -l <<<"$leaked" 2>/dev/null || true
	fi
	leaked=
	for i in /sys/fs/cgroup/*/"$DOCKER_CGROUP_PARENT" /sys/fs/cgroup/"$DOCKER_CGROUP_PARENT"; do
		[ -d "$i" ] || continue
		if [ -n "$(find "$i" -mindepth 1 -type d)" ]; then
			leaked+="$(find "$i" -mindepth 1 -type d) "
		fi
		find "$i" -depth -type d -exec rmdir {} + 2>/dev/null || true
	done
	[ -z "$leaked" ] || problems+=("container cgroups left: $leaked")

	ip link del "$DOCKER_BRIDGE" 2>/dev/null || true
	rm -rf "$DOCKER_TMP"
	unset DOCKER_TMP
	[ ${#problems[@]} -eq 0 ] && return 0
	printf 'docker health check: %s\n' "${problems[@]}" >&2
	return 1
}
