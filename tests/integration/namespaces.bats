#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# linux.namespaces: each new or joined by path; user namespaces with mappings;
# time namespace offsets.

# Scripts for the container's sh are single-quoted on purpose.
# shellcheck disable=SC2016

load helpers

function setup() {
	setup_bundle
}

function teardown() {
	[ -n "${HOLDER_PID:-}" ] && kill -9 "$HOLDER_PID" 2>/dev/null
	HOLDER_PID=
	teardown_bundle
}

# The namespace of $1 inside the container differs from the host's.
@test "each default namespace is new" {
	set_args sh -c 'for n in pid net ipc uts mnt; do nr-payload ns $n; done'
	nestrun run ct1
	[ "$status" -eq 0 ]
	local i=0 n
	for n in pid net ipc uts mnt; do
		[ "${lines[$i]}" != "$(readlink /proc/self/ns/$n)" ]
		i=$((i + 1))
	done
}

@test "a namespace left out of the config is the host's" {
	update_config '.linux.namespaces |= map(select(.type != "network" and .type != "ipc"))'
	set_args sh -c 'nr-payload ns net; nr-payload ns ipc'
	nestrun run ct1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(readlink /proc/self/ns/net)" ]
	[ "${lines[1]}" = "$(readlink /proc/self/ns/ipc)" ]
}

@test "the pid namespace: the process is pid 1" {
	set_args nr-payload pid
	nestrun run ct1
	[ "$status" -eq 0 ]
	[ "$output" = "pid=1 ppid=0" ]
}

@test "the uts namespace: hostname and domainname" {
	update_config '.hostname = "nr-host" | .domainname = "nr.example"'
	set_args sh -c 'nr-payload hostname; nr-payload domainname'
	nestrun run ct1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = nr-host ]
	# runc 1.1.5 predates "domainname" (runtime-spec 1.1) and ignores it.
	[ -n "$NESTRUN_IS_RUNC" ] || [ "${lines[1]}" = nr.example ]
	[ "$(hostname)" != nr-host ]
}

@test "the network namespace has only a loopback, and it is up" {
	set_args sh -c 'ls /sys/class/net; ip -o link show lo'
	nestrun run ct1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = lo ]
	[[ "$output" == *"LOOPBACK,UP"* ]]
}

@test "the cgroup namespace" {
	requires cgroupns
	update_config '.linux.namespaces += [{"type": "cgroup"}]'
	set_args sh -c 'nr-payload ns cgroup; nr-payload cgroup'
	nestrun run ct1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" != "$(readlink /proc/self/ns/cgroup)" ]
	# The container's cgroup is the root of its view.
	[[ "$output" == *":pids:/"$'\n'* ]] || [[ "$output" == *":pids:/" ]]
}

# Joining: a holder process with its own namespaces, joined by path.
function start_holder() {
	unshare "$@" sleep 1000 &
	HOLDER_PID=$!
	local i
	for ((i = 0; i < 50; i++)); do
		[ "$(readlink "/proc/$HOLDER_PID/ns/uts")" != "$(readlink /proc/self/ns/uts)" ] && return 0
		sleep 0.1
	done
	fail "holder did not unshare"
}

@test "namespaces joined by path: net, uts, ipc" {
	start_holder --net --uts --ipc
	nsenter -t "$HOLDER_PID" --uts hostname holder-host
	update_config '.linux.namespaces |= map(
		if .type == "network" then .path = "/proc/'"$HOLDER_PID"'/ns/net"
		elif .type == "uts" then .path = "/proc/'"$HOLDER_PID"'/ns/uts"
		elif .type == "ipc" then .path = "/proc/'"$HOLDER_PID"'/ns/ipc" else . end)
		| del(.hostname)'
	set_args sh -c 'nr-payload ns net; nr-payload ns uts; nr-payload ns ipc; nr-payload hostname'
	nestrun run ct1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(readlink "/proc/$HOLDER_PID/ns/net")" ]
	[ "${lines[1]}" = "$(readlink "/proc/$HOLDER_PID/ns/uts")" ]
	[ "${lines[2]}" = "$(readlink "/proc/$HOLDER_PID/ns/ipc")" ]
	[ "${lines[3]}" = holder-host ]
}

@test "a second container joins the first one's pid and network namespaces" {
	set_args nr-payload pause
	nestrun run -d --pid-file "$ROOT/pid1" ct1
	[ "$status" -eq 0 ]
	local pid
	pid=$(cat "$ROOT/pid1")
	update_config '.linux.namespaces |= map(
		if .type == "network" then .path = "/proc/'"$pid"'/ns/net"
		elif .type == "pid" then .path = "/proc/'"$pid"'/ns/pid" else . end)'
	# A second cgroup, not the first container's.
	update_config '.linux.cgroupsPath = "/'"$CGROUP_REL"'-2"'
	set_args sh -c 'nr-payload ns net; ps -o pid,args | grep -c "nr-payload pause"'
	nestrun run ct2
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(readlink "/proc/$pid/ns/net")" ]
	[ "${lines[1]}" -ge 1 ]
	rmdir /sys/fs/cgroup/*/"$CGROUP_REL"-2 2>/dev/null || true
}

@test "a namespace path that is not a namespace is refused" {
	update_config '.linux.namespaces |= map(if .type == "network" then .path = "/etc/hostname" else . end)'
	: >/etc/hostname.nr-test || true
	update_config '.linux.namespaces |= map(if .type == "network" then .path = "'"$BUNDLE"'/config.json" else . end)'
	expect_error
	nestrun run ct1
	[ "$status" -ne 0 ]
	rm -f /etc/hostname.nr-test
}

@test "a user namespace with uid and gid mappings" {
	requires userns
	chown -R 100000:100000 "$BUNDLE/rootfs"
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	set_args sh -c 'nr-payload ids; cat /proc/self/uid_map; cat /proc/self/gid_map; nr-payload write /tmp/owned x; nr-payload stat /tmp/owned'
	nestrun run ct1
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "uid=0 gid=0"* ]]
	[[ "${lines[1]}" =~ ^\ +0\ +100000\ +65536$ ]]
	[[ "${lines[2]}" =~ ^\ +0\ +100000\ +65536$ ]]
	[[ "${lines[3]}" == "file 0644 0 0 0 0" ]]
	# Seen from the host, the file belongs to the mapped uid.
	[ "$(stat -c %u:%g "$BUNDLE/rootfs/tmp/owned")" = 100000:100000 ]
}

@test "a user namespace maps a non-root container user" {
	requires userns
	chown -R 100000:100000 "$BUNDLE/rootfs"
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 2000}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 2000}]
		| .process.user = {"uid": 1000, "gid": 1000}'
	set_args nr-payload ids
	nestrun run ct1
	[ "$status" -eq 0 ]
	[[ "$output" == "uid=1000 gid=1000"* ]]
}

@test "the time namespace with offsets" {
	requires timens
	update_config '.linux.namespaces += [{"type": "time"}]
		| .linux.timeOffsets = {"monotonic": {"secs": 86400, "nanosecs": 0}, "boottime": {"secs": 172800, "nanosecs": 0}}'
	set_args nr-payload uptime
	local host_mono
	host_mono=$(awk '{print int($1)}' /proc/uptime)
	nestrun run ct1
	if [ -n "$NESTRUN_IS_RUNC" ] && [ "$status" -ne 0 ]; then
		# runc 1.1.5 does not know the time namespace.
		expect_error
		skip "runc 1.1.5 has no time namespace support: $output"
	fi
	[ "$status" -eq 0 ]
	local mono boot
	read -r mono boot <<<"$output"
	[ "$mono" -ge $((86400 + host_mono - 5)) ]
	[ "$boot" -ge $((172800 + host_mono - 5)) ]
}
